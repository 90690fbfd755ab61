using Exrm.Erlang.ExternalFormat;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

/// <summary>Decodes the External Term Format terms stored in chunks, reporting faults as BEAM format errors.</summary>
internal static class BeamTermDecoder
{
    /// <summary>Decodes a term that lies in the image at <paramref name="offset"/>; a fault is reported at its own offset.</summary>
    public static ErlangTerm DecodeAt(ReadOnlySpan<byte> bytes, int offset, string what, BeamSource source)
    {
        try
        {
            return Etf.Decode(bytes);
        }
        catch (ErlangFormatException e)
        {
            throw source.Error(offset + e.Offset, $"{what} is not a valid term: {e.Reason}", e);
        }
    }

    /// <summary>Decodes a term held outside the image (an inflated literal); a fault is reported at <paramref name="reportOffset"/>.</summary>
    public static ErlangTerm DecodeDetached(ReadOnlySpan<byte> bytes, int reportOffset, string what, BeamSource source)
    {
        try
        {
            return Etf.Decode(bytes);
        }
        catch (ErlangFormatException e)
        {
            throw source.Error(reportOffset, $"{what}, byte {e.Offset}: not a valid term: {e.Reason}", e);
        }
    }
}
