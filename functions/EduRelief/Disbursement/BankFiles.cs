using System.Globalization;
using System.Text;
using CsvHelper;
using EduRelief.Eligibility;
using EduRelief.Exports;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Hosting;

namespace EduRelief.Disbursement;

/// <summary>
/// The files exchanged with the bank that runs the county's subsidy card (惠民惠农"一卡通"). The payment file is CSV in
/// GB18030 (identical to GBK for every character GBK has; rarer characters in names survive instead of becoming '?'),
/// a header, one row per payment (the child, the program, the amount, and the account it is paid to: 账户名, 账号,
/// 开户行), and a trailer with the count and the total. The result file comes back as CSV in
/// UTF-8 or GBK with the columns 序号, 身份证号, 金额, 状态 (成功|失败), 原因.
/// </summary>
public static class BankFiles
{
    public static readonly string[] PaymentHeader = ["序号", "姓名", "身份证号", "资助项目", "金额", "学校标识码", "账户名", "账号", "开户行"];

    public const string TrailerLabel = "合计";

    public static readonly string[] ResultColumns = ["序号", "身份证号", "金额", "状态", "原因"];

    public const string Success = "成功";

    public const string Failure = "失败";

    public const int MaxResultBytes = 64 << 20;

    public static string ProgramName(string program) => LedgerWorkbook.ProgramSheets.TryGetValue(program, out var name) ? name : program;

    /// <summary>RFC 4180 with CRLF, quoted only where a field holds a comma, quote or line break; the trailer has three fields.</summary>
    private static readonly CsvWriterOptions PaymentCsv = CsvWriterOptions.Default with { ValidateFieldCount = false };

    public static byte[] WritePaymentFile(IReadOnlyList<BatchItem> items)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, PaymentCsv, leaveOpen: true))
        {
            csv.WriteRecord(PaymentHeader);
            foreach (var item in items)
            {
                csv.WriteRecord(PaymentRow(item));
            }

            csv.WriteRecord([TrailerLabel, items.Count.ToString(CultureInfo.InvariantCulture), items.Sum(i => i.Amount).ToString()]);
        }

        return TextEncodings.Gb18030.GetBytes(text.ToString());
    }

    /// <summary>A payment row; its texts neutralised where they start like a formula (<see cref="SpreadsheetText.ForCsv"/>).</summary>
    private static string[] PaymentRow(BatchItem item) =>
    [
        item.Sequence.ToString(CultureInfo.InvariantCulture),
        SpreadsheetText.ForCsv(item.Name),
        item.IdNumber.Value,
        SpreadsheetText.ForCsv(ProgramName(item.Program)),
        item.Amount.ToString(),
        SpreadsheetText.ForCsv(item.SchoolCode),
        SpreadsheetText.ForCsv(item.Account?.Holder ?? ""),
        SpreadsheetText.ForCsv(item.Account?.Number ?? ""),
        SpreadsheetText.ForCsv(item.Account?.Bank ?? ""),
    ];

    /// <summary>Parses a result file completely; any error names its row and column and nothing is applied.</summary>
    public static (IReadOnlyList<BankResultRow> Rows, IDictionary<string, Text[]> Errors) ParseResult(byte[] bytes)
    {
        var errors = new Dictionary<string, Text[]>();
        var rows = new List<BankResultRow>();
        string text;
        try
        {
            var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
            text = TryDecode(TextEncodings.Utf8, bytes, start) ?? TryDecode(TextEncodings.Gb18030, bytes, 0)
                ?? throw new DecoderFallbackException();
        }
        catch (DecoderFallbackException)
        {
            errors["file"] = [new Text("文件既不是 UTF-8 也不是 GBK（GB18030）编码的文本。", "The file is neither UTF-8 nor GBK (GB18030) text.")];
            return (rows, errors);
        }

        var lines = ReadRecords(text);
        if (lines.Count == 0)
        {
            errors["file"] = [new Text("文件为空：须有表头行。", "The file is empty: a header row is required.")];
            return (rows, errors);
        }

        var header = lines[0].Select(h => h.Trim()).ToList();
        var index = new Dictionary<string, int>();
        foreach (var column in ResultColumns)
        {
            var at = header.IndexOf(column);
            if (at < 0 && column != "原因")
            {
                errors[column] = [new Text($"表头缺少列“{column}”；必需的列为：序号、身份证号、金额、状态（原因可选）。", $"The header has no column {column}; required: 序号, 身份证号, 金额, 状态 (原因 optional).")];
            }

            index[column] = at;
        }

        if (errors.Count > 0)
        {
            return (rows, errors);
        }

        for (var i = 1; i < lines.Count; i++)
        {
            var fields = lines[i];
            var row = i + 1;
            if (fields.All(string.IsNullOrWhiteSpace) || Cell(fields, 0) == TrailerLabel)
            {
                continue;
            }

            string Get(string column) => Cell(fields, index[column]);
            void Fail(string column, Text message) => errors[$"row {row}, {column}"] = [message];

            if (!int.TryParse(Get("序号"), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
            {
                Fail("序号", new Text("序号须为从 1 开始的整数。", "序号 must be a whole number from 1."));
            }

            var id = IdNumbers.Normalize(Get("身份证号"));
            if (id.Length == 0)
            {
                Fail("身份证号", new Text("身份证号为必填项。", "身份证号 is required."));
            }

            if (!decimal.TryParse(Get("金额"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || decimal.Round(amount, 2) != amount)
            {
                Fail("金额", new Text("金额以元为单位，最多两位小数，例如 625.00。", "金额 must be yuan with at most 2 decimals, e.g. 625.00."));
            }

            var status = Get("状态");
            if (status is not (Success or Failure))
            {
                Fail("状态", new Text($"状态须为“{Success}”或“{Failure}”。", $"状态 must be {Success} or {Failure}."));
            }

            var reason = index["原因"] >= 0 ? Get("原因") : "";
            rows.Add(new BankResultRow(row, sequence, id, new Yuan(amount), status == Success, reason.Length == 0 ? null : reason));
        }

        return (errors.Count > 0 ? [] : rows, errors);
    }

    private static string Cell(IReadOnlyList<string> fields, int i) => i >= 0 && i < fields.Count ? fields[i].Trim() : "";

    private static string? TryDecode(Encoding encoding, byte[] bytes, int start)
    {
        try
        {
            return encoding.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks; CRLF, LF or CR ends a record. A
    /// blank line is a record too (it keeps its row number, as a spreadsheet program shows it), and a quoted field may
    /// have spaces before its opening quote. Quoting that breaks the rules is read as text rather than refused.
    /// </summary>
    private static readonly CsvReaderOptions ResultCsv = CsvReaderOptions.Default with
    {
        HasHeader = false,
        Separator = ',',
        Mode = CsvMode.Rfc4180,
        SkipEmptyLines = false,
        TrimWhitespace = true,
        DetectSeparatorHint = false,
        AllowLineBreaksInQuotes = true,
        MalformedData = CsvMalformedDataHandling.Recover,
        IncludeValuesInExceptions = false, // values are personal data
    };

    private static List<string[]> ReadRecords(string text)
    {
        var records = new List<string[]>();
        using var csv = CsvReader.Create(new StringReader(text), ResultCsv, leaveOpen: false);
        while (csv.Read())
        {
            var fields = new string[csv.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = csv.GetString(i);
            }

            records.Add(fields);
        }

        return records;
    }
}
