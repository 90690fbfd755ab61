namespace Exrm.Otp.Relups;

/// <summary>A rule of systools_rc broken while translating scripts; <see cref="Reason"/> is systools_rc's error tag.</summary>
internal sealed class TranslationException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
