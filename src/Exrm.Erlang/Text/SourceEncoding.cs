namespace Exrm.Erlang.Text;

/// <summary>The encodings a consultable file may declare (<c>epp:source_encoding()</c>).</summary>
internal enum SourceEncoding
{
    /// <summary>UTF-8, the default when the file declares nothing.</summary>
    Utf8,

    /// <summary>ISO 8859-1: each byte is one character.</summary>
    Latin1,
}
