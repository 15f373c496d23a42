using System.Text;
using System.Xml;

namespace EduRelief.Rosters.Parsing;

/// <summary>
/// Reading an XLSX part's XML without holding more of it than <see cref="ReadLimits"/> allow. An <see cref="XmlReader"/>
/// skips a long text node without materialising it, but holds a whole start tag (name and attributes) or CDATA section
/// in memory, and <c>ReadElementContentAsString</c> returns a whole element's text: a 500-million-character cell took the
/// process to 4-5 GiB. So text is read in chunks against a limit, and the part's bytes pass through <see cref="MarkupLimitStream"/>.
/// </summary>
internal static class BoundedXml
{
    public const int ChunkChars = 4096;

    /// <summary>
    /// Appends the text of the element the reader is on (a &lt;t&gt; or &lt;v&gt;, which hold only text) to
    /// <paramref name="text"/>, chunk by chunk, and leaves the reader past its end tag as <c>ReadElementContentAsString</c>
    /// does. False, with nothing more appended, as soon as <paramref name="text"/> would exceed <paramref name="maxChars"/>.
    /// A child element or a truncated part throws <see cref="XmlException"/> (a damaged workbook).
    /// </summary>
    public static bool AppendContent(XmlReader reader, StringBuilder text, char[] chunk, int maxChars)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return true;
        }

        reader.Read();
        while (reader.NodeType != XmlNodeType.EndElement)
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    int n;
                    while ((n = reader.ReadValueChunk(chunk, 0, chunk.Length)) > 0)
                    {
                        if (text.Length + n > maxChars)
                        {
                            return false;
                        }

                        text.Append(chunk, 0, n);
                    }

                    break;
                case XmlNodeType.Comment or XmlNodeType.ProcessingInstruction:
                    break;
                default:
                    throw new XmlException($"The element holds {reader.NodeType} where only text may be.");
            }

            reader.Read();
        }

        reader.Read();
        return true;
    }
}

/// <summary>
/// A read-only view of an XLSX part that throws <see cref="RosterErrors.OverLimit"/> as soon as the XML has a run of
/// more than <see cref="ReadLimits.MaxMarkupBytes"/> bytes without a '&lt;' (which no attribute value may contain, so a
/// start tag is never longer) or a CDATA section that long: what an <see cref="XmlReader"/> would otherwise hold whole.
/// </summary>
internal sealed class MarkupLimitStream(Stream inner, string partName) : Stream
{
    private static ReadOnlySpan<byte> CdataStart => "<![CDATA["u8;

    private long _run;
    private int _matched; // bytes of "<![CDATA[" (outside CDATA) or of "]]" (inside) seen so far
    private bool _inCdata;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Scan(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Scan(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _run++;
            if (_inCdata)
            {
                if (b == '>' && _matched == 2)
                {
                    (_inCdata, _matched, _run) = (false, 0, 0); // "]]>"
                }
                else
                {
                    _matched = b == ']' ? Math.Min(_matched + 1, 2) : 0;
                }
            }
            else if (b == '<')
            {
                (_matched, _run) = (1, 0);
            }
            else if (_matched > 0)
            {
                _matched = b == CdataStart[_matched] ? _matched + 1 : 0;
                if (_matched == CdataStart.Length)
                {
                    (_inCdata, _matched) = (true, 0);
                }
            }

            if (_run > ReadLimits.MaxMarkupBytes)
            {
                throw ReadLimits.File(_inCdata
                    ? $"部件 {partName} 中有一段超过 {ReadLimits.MaxMarkupBytes / (1024 * 1024)} MiB 的 CDATA，超出读取上限（单元格最多 {ReadLimits.MaxCellChars:N0} 个字符）。"
                    : $"部件 {partName} 中有一段超过 {ReadLimits.MaxMarkupBytes / (1024 * 1024)} MiB 的 XML 标记或文本（标签、属性或单元格之外的文字），超出读取上限（单元格最多 {ReadLimits.MaxCellChars:N0} 个字符）。");
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
