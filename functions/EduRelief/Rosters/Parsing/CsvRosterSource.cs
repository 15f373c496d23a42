using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;
using EduRelief.Hosting;

namespace EduRelief.Rosters.Parsing;

/// <summary>
/// CSV records of a roster, streamed with CsvHelper: RFC 4180 quoting (commas, quotes and line breaks inside quoted
/// fields), CRLF or LF, spaces and tabs around fields removed. One pass detects the encoding, one parses. Strict: a
/// record that breaks the quoting rules (a quote inside an unquoted field, text after a closing quote, a quoted field
/// never closed) refuses the file naming its line, and so does a record over <see cref="ReadLimits"/>.
/// </summary>
internal static class CsvRosterSource
{
    /// <summary>No real roster record comes near this; a longer one is a quote left open that would swallow the file.</summary>
    public const int MaxRecordBytes = 1 << 20;

    public static async IAsyncEnumerable<SourceRow> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        var encoding = await TextEncodings.DetectAsync(stream, ct);
        stream.Position = 0;
        CsvMalformedRecord? malformed = null;
        var options = CsvReaderOptions.Default with
        {
            HasHeader = false,
            Separator = ',',
            Mode = CsvMode.Rfc4180,
            SkipEmptyLines = false, // an empty line still takes a row number, as a spreadsheet program shows it
            TrimWhitespace = true,
            DetectSeparatorHint = false,
            AllowLineBreaksInQuotes = true,
            MalformedData = CsvMalformedDataHandling.Recover, // the record is returned, then refused below with its line
            OnMalformedRecord = record => malformed ??= record,
            TrackLineNumbers = true,
            MaxRecordSize = MaxRecordBytes,
            IncludeValuesInExceptions = false, // values are personal data
            Encoding = encoding.CodePage == TextEncodings.Utf8.CodePage ? null : encoding,
        };

        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        var cells = new List<(int Column, string Value)>();
        var rowNumber = 0;
        while (true)
        {
            bool more;
            try
            {
                more = await csv.ReadAsync(ct);
            }
            catch (CsvFormatException)
            {
                throw RosterFileException.Row(
                    RosterErrors.Damaged,
                    rowNumber + 1,
                    new Text(
                        $"从这一行开始的记录超过 {MaxRecordBytes / 1024} KiB：很可能有引号未闭合。",
                        $"The record starting in this row is longer than {MaxRecordBytes / 1024} KiB: a quote is probably left open."));
            }

            if (!more)
            {
                yield break;
            }

            rowNumber = checked(rowNumber + 1);
            if (malformed is { } bad)
            {
                throw Malformed(rowNumber, bad);
            }

            if (rowNumber > ReadLimits.MaxRows)
            {
                throw ReadLimits.TooManyRows(rowNumber, null);
            }

            if (csv.FieldCount > ReadLimits.MaxColumns)
            {
                throw ReadLimits.TooManyCells(rowNumber, null);
            }

            cells.Clear();
            for (var i = 0; i < csv.FieldCount; i++)
            {
                var value = csv.GetString(i);
                if (value.Length > ReadLimits.MaxCellChars)
                {
                    throw ReadLimits.CellTooLong(rowNumber, i, null);
                }

                cells.Add((i, value));
            }

            yield return new SourceRow(rowNumber, cells);
        }
    }

    /// <summary>The record's row (as rows are counted) and the line it starts on (as a text editor counts them), never its values.</summary>
    private static RosterFileException Malformed(int row, CsvMalformedRecord record)
    {
        var why = record.Reason switch
        {
            CsvMalformedReason.StrayQuote => "未加引号的字段中出现了引号（\"）：含引号的字段须整个用引号括起，字段中的引号写作两个（\"\"）",
            CsvMalformedReason.TextAfterClosingQuote => "引号括起的字段在闭合引号之后还有文字",
            CsvMalformedReason.UnterminatedQuote => "引号括起的字段直到文件末尾都没有闭合",
            _ => "引号的用法不符合 CSV 格式",
        };
        return RosterFileException.Row(RosterErrors.MalformedCsv, row, $"文件第 {record.LineNumber} 行起的这一行不是格式正确的 CSV：{why}。整个文件未导入。");
    }
}

/// <summary>
/// The DOMAIN's rule: bytes that are entirely valid UTF-8 are UTF-8, anything else is GB18030 (code page 54936, a
/// superset of GBK and GB2312). A file that is neither, or that starts with a UTF-8 byte order mark but is not UTF-8,
/// is rejected; so is a file that is not text at all (see <see cref="ContentSniffer.RequireText"/>).
/// </summary>
internal static class TextEncodings
{
    private const int ChunkBytes = 64 * 1024;

    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static readonly Encoding Gb18030 = CreateGb18030();

    private static Encoding CreateGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(54936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    public static async Task<Encoding> DetectAsync(Stream stream, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            stream.Position = 0;
            var n = await stream.ReadAtLeastAsync(buffer.AsMemory(0, RosterReader.SniffLength), RosterReader.SniffLength, throwOnEndOfStream: false, ct);
            ContentSniffer.RequireText(buffer.AsSpan(0, n));
            var bom = buffer.AsSpan(0, n).StartsWith(Encoding.UTF8.Preamble);

            if (await IsValidAsync(stream, Utf8, buffer, ct))
            {
                return Utf8;
            }

            if (bom)
            {
                throw RosterFileException.File(RosterErrors.Undecodable, new Text("文件以 UTF-8 字节顺序标记开头，但内容不是有效的 UTF-8。", "The file starts with a UTF-8 byte order mark but is not valid UTF-8."));
            }

            if (await IsValidAsync(stream, Gb18030, buffer, ct))
            {
                return Gb18030;
            }

            throw RosterFileException.File(RosterErrors.Undecodable, new Text("文件内容既不是有效的 UTF-8 文本，也不是有效的 GB18030（GBK）文本。", "The file's bytes are neither valid UTF-8 nor valid GB18030 (GBK) text."));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes the whole stream from its start with <paramref name="encoding"/> (which throws on invalid bytes), stopping at the first error.</summary>
    private static async Task<bool> IsValidAsync(Stream stream, Encoding encoding, byte[] buffer, CancellationToken ct)
    {
        stream.Position = 0;
        var decoder = encoding.GetDecoder();
        var chars = ArrayPool<char>.Shared.Rent(encoding.GetMaxCharCount(ChunkBytes));
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, ChunkBytes), ct);
                if (!Feed(decoder, buffer.AsSpan(0, n), chars, flush: n == 0))
                {
                    return false;
                }

                if (n == 0)
                {
                    return true;
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static bool Feed(Decoder decoder, ReadOnlySpan<byte> bytes, Span<char> chars, bool flush)
    {
        try
        {
            while (true)
            {
                decoder.Convert(bytes, chars, flush, out var used, out _, out var completed);
                bytes = bytes[used..];
                if (completed && bytes.IsEmpty)
                {
                    return true;
                }
            }
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
