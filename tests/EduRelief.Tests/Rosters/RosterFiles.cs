using System.IO.Compression;
using System.Security;
using System.Text;
using EduRelief.Rosters.Parsing;

namespace EduRelief.Tests.Rosters;

/// <summary>Builds roster files in memory for the parsing tests.</summary>
internal static class RosterFiles
{
    public const string StudentHeader = "姓名,身份证号,学校标识码,学校名称,学段,年级,是否住校,备注";
    public const string PovertyHeader = "序号,户编号,姓名,身份证号,乡镇,村,人员类别";

    public static readonly Encoding Utf8NoBom = new UTF8Encoding(false);

    public static Encoding Gb18030 { get; } = CreateGb18030();

    private static Encoding CreateGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(54936);
    }

    public static MemoryStream Text(string text, Encoding? encoding = null, bool bom = false)
    {
        var e = encoding ?? Utf8NoBom;
        var bytes = e.GetBytes(text);
        return new MemoryStream(bom ? [.. Encoding.UTF8.Preamble, .. bytes] : bytes, writable: false);
    }

    public static async Task<List<RosterRow>> ReadAllAsync(Stream stream, RosterFormat format, RosterKind kind = RosterKind.Students)
    {
        var rows = new List<RosterRow>();
        await foreach (var row in RosterReader.ReadAsync(stream, format, kind, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    public static Task<List<RosterRow>> ReadCsvAsync(string text, RosterKind kind = RosterKind.Students) =>
        ReadAllAsync(Text(text), RosterFormat.Csv, kind);

    public static Task<RosterFileException> RejectsAsync(Stream stream, RosterFormat format, RosterKind kind = RosterKind.Students) =>
        Xunit.Assert.ThrowsAsync<RosterFileException>(() => ReadAllAsync(stream, format, kind));

    public static string Value(RosterRow row, RosterKind kind, string column) => row[RosterSchema.IndexOf(kind, column)];

    // ---- XLSX ----

    public const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>A worksheet part from &lt;row&gt; elements.</summary>
    public static string Sheet(params string[] rows) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"{MainNs}\"><sheetData>{string.Concat(rows)}</sheetData></worksheet>";

    public static string Row(int r, params string[] cells) => $"<row r=\"{r}\">{string.Concat(cells)}</row>";

    public static string Inline(string reference, string text) =>
        $"<c r=\"{reference}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{SecurityElement.Escape(text)}</t></is></c>";

    public static string Shared(string reference, int index) => $"<c r=\"{reference}\" t=\"s\"><v>{index}</v></c>";

    public static string Number(string reference, string raw, int? style = null) =>
        $"<c r=\"{reference}\"{(style is { } s ? $" s=\"{s}\"" : "")}><v>{raw}</v></c>";

    public static string SharedStrings(params string[] items) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"{MainNs}\" count=\"{items.Length}\" uniqueCount=\"{items.Length}\">"
        + string.Concat(items.Select(i => i.StartsWith('<') ? $"<si>{i}</si>" : $"<si><t xml:space=\"preserve\">{SecurityElement.Escape(i)}</t></si>"))
        + "</sst>";

    /// <summary>A header row of inline strings, in the given column order, at row 1.</summary>
    public static string HeaderRow(params string[] names) => Row(1, names.Select((n, i) => Inline(Ref(i, 1), n)).ToArray());

    public static string Ref(int column, int row) => EduRelief.Rosters.Parsing.RosterReader.ColumnLetters(column) + row;

    /// <summary>
    /// An .xlsx package written part by part, so the tests control the raw XML (exponent numbers, inline strings).
    /// <paramref name="sheets"/> are listed in the workbook in the given order, as sheetN.xml for their position N
    /// in <paramref name="fileOrder"/> (default: the same order).
    /// </summary>
    public static MemoryStream Xlsx(IReadOnlyList<string> sheets, string? sharedStrings = null, string? styles = null, IReadOnlyList<int>? fileOrder = null, Action<Stream>? writeFirstSheet = null, Action<ZipArchive>? extra = null, Action<Stream>? writeSharedStrings = null)
    {
        var hasSharedStrings = sharedStrings is not null || writeSharedStrings is not null;
        var files = fileOrder ?? Enumerable.Range(1, sheets.Count).ToArray();
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var types = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">")
                .Append("<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>")
                .Append("<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>");
            foreach (var f in files)
            {
                types.Append($"<Override PartName=\"/xl/worksheets/sheet{f}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
            }

            if (hasSharedStrings)
            {
                types.Append("<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>");
            }

            if (styles is not null)
            {
                types.Append("<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>");
            }

            Write(zip, "[Content_Types].xml", types.Append("</Types>").ToString());
            Write(zip, "_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");

            var sheetList = string.Concat(files.Select((f, i) => $"<sheet name=\"S{f}\" sheetId=\"{f}\" r:id=\"rIdS{f}\"/>"));
            Write(zip, "xl/workbook.xml", $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><workbook xmlns=\"{MainNs}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>{sheetList}</sheets></workbook>");

            var rels = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
            foreach (var f in files.Order())
            {
                rels.Append($"<Relationship Id=\"rIdS{f}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{f}.xml\"/>");
            }

            if (hasSharedStrings)
            {
                rels.Append("<Relationship Id=\"rIdSst\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>");
            }

            if (styles is not null)
            {
                rels.Append("<Relationship Id=\"rIdSty\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>");
            }

            Write(zip, "xl/_rels/workbook.xml.rels", rels.Append("</Relationships>").ToString());
            for (var i = 0; i < sheets.Count; i++)
            {
                if (i == 0 && writeFirstSheet is not null)
                {
                    using var s = zip.CreateEntry($"xl/worksheets/sheet{files[i]}.xml", CompressionLevel.Optimal).Open();
                    writeFirstSheet(s);
                }
                else
                {
                    Write(zip, $"xl/worksheets/sheet{files[i]}.xml", sheets[i]);
                }
            }

            if (writeSharedStrings is not null)
            {
                using var sst = zip.CreateEntry("xl/sharedStrings.xml", CompressionLevel.Optimal).Open();
                writeSharedStrings(sst);
            }
            else if (sharedStrings is not null)
            {
                Write(zip, "xl/sharedStrings.xml", sharedStrings);
            }

            if (styles is not null)
            {
                Write(zip, "xl/styles.xml", styles);
            }

            extra?.Invoke(zip);
        }

        ms.Position = 0;
        return ms;
    }

    public static MemoryStream Xlsx(string sheet, string? sharedStrings = null, string? styles = null) => Xlsx([sheet], sharedStrings, styles);

    /// <summary>
    /// A hostile workbook whose cell A2 holds <paramref name="chars"/> characters (<see cref="WriteVariedText"/>), as its one
    /// shared string or as an inline string, built streaming: only the compressed bytes are held.
    /// </summary>
    public static MemoryStream HugeCellXlsx(long chars, bool shared)
    {
        var header = HeaderRow([.. RosterSchema.Columns(RosterKind.Students)]);
        if (shared)
        {
            return Xlsx([Sheet(header, Row(2, Shared("A2", 0)))], writeSharedStrings: s =>
            {
                s.Write(Encoding.UTF8.GetBytes($"<sst xmlns=\"{MainNs}\" count=\"1\" uniqueCount=\"1\"><si><t>"));
                WriteVariedText(s, chars);
                s.Write("</t></si></sst>"u8);
            });
        }

        return Xlsx([""], writeFirstSheet: s =>
        {
            s.Write(Encoding.UTF8.GetBytes($"<worksheet xmlns=\"{MainNs}\"><sheetData>{header}<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>"));
            WriteVariedText(s, chars);
            s.Write("</t></is></c></row></sheetData></worksheet>"u8);
        });
    }

    /// <summary>
    /// <paramref name="chars"/> lower-case ASCII letters: a 4 KiB random block repeated with a random letter every 500,
    /// which deflates about 60:1, so a huge part stays under <see cref="WorkbookLimits.MaxCompressionRatio"/> (a run of
    /// one letter would be refused as a zip bomb before any limit on cells is reached).
    /// </summary>
    public static void WriteVariedText(Stream stream, long chars)
    {
        var random = new Random(42);
        var block = new byte[4096];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = (byte)('a' + random.Next(26));
        }

        var buffer = new byte[block.Length];
        for (long written = 0; written < chars; written += buffer.Length)
        {
            block.CopyTo(buffer, 0);
            for (var j = (int)(written % 500); j < buffer.Length; j += 500)
            {
                buffer[j] = (byte)('a' + random.Next(26));
            }

            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, chars - written));
        }
    }

    public static void Write(ZipArchive zip, string name, string content)
    {
        using var s = zip.CreateEntry(name).Open();
        s.Write(Encoding.UTF8.GetBytes(content));
    }
}

/// <summary>A read-only seekable stream that counts the bytes read through it.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        BytesRead += n;
        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        BytesRead += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A stream that cannot seek, like a raw request body.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
