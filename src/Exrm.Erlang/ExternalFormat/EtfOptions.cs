namespace Exrm.Erlang.ExternalFormat;

/// <summary>Choices of the encoder, named after the OTP release whose term_to_binary/1 makes them.</summary>
public sealed record EtfOptions
{
    /// <summary>
    /// OTP 25 and earlier: atoms whose characters are all Latin-1 as ATOM_EXT with Latin-1 bytes, others as
    /// UTF-8. This is what a release for OTP 25 must contain (its .boot files).
    /// </summary>
    public static readonly EtfOptions Otp25 = new() { Utf8Atoms = false };

    /// <summary>OTP 26 and later (minor_version 2 by default): every atom as UTF-8.</summary>
    public static readonly EtfOptions Otp26 = new() { Utf8Atoms = true };

    /// <summary>True to write every atom as SMALL_ATOM_UTF8_EXT / ATOM_UTF8_EXT.</summary>
    public bool Utf8Atoms { get; init; }
}
