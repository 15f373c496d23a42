using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace EduRelief.Tests.Eligibility;

/// <summary>
/// A small county whose expected verification was worked out by hand from DOMAIN.md; every discrepancy kind occurs.
/// ID numbers are built here with their own check-character code, independent of the app's.
/// </summary>
public static class SampleCounty
{
    public static string Id(string region, string birth, string sequence)
    {
        var first17 = region + birth + sequence;
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = first17.Select((c, i) => (c - '0') * weights[i]).Sum();
        return first17 + "10X98765432"[sum % 11];
    }

    public static readonly string A = Id("410726", "20150301", "011");   // 张三, primary 5, boarding
    public static readonly string B = Id("410726", "20120505", "022");   // 李四, junior 2, day
    public static readonly string C = Id("410726", "20170101", "033");   // 王五, not registered
    public static readonly string D = Id("410726", "20130707", "044");   // 赵六 / 赵陆: name mismatch, junior 1 boarding
    public static readonly string E = Id("410726", "20160909", "055");   // 孙七: grade out of range
    public static readonly string F = Id("653101", "20100202", "066");   // 阿依古丽: senior 1
    public static readonly string G = Id("410726", "20080101", "077");   // 周八: vocational year 3
    public static readonly string H = Id("410726", "20220101", "088");   // 吴九: preschool
    public static readonly string I = Id("410726", "20160601", "099");   // registered, age 10, in no school
    public static readonly string J = Id("410726", "19860315", "101");   // registered adult

    public static string BadCheck(string valid) => valid[..17] + (valid[17] == '0' ? '1' : '0');

    public static string FullWidth(string ascii) => new(ascii.Select(c => c is >= '0' and <= '9' ? (char)('０' + (c - '0')) : c == 'X' ? 'Ｘ' : c).ToArray());

    public static readonly string[] StudentHeader = ["姓名", "身份证号", "学校标识码", "学校名称", "学段", "年级", "是否住校", "备注"];

    public static string[][] Students() =>
    [
        ["张三", A, "4107260001", "城关镇第一小学", "小学", "5", "是", ""],
        ["李四", B, "4107260002", "第一初级中学", "初中", "2", "否", ""],
        ["王五", C, "4107260001", "城关镇第一小学", "小学", "3", "否", ""],
        ["赵六", D, "4107260002", "第一初级中学", "初中", "1", "是", ""],
        ["钱一", BadCheck(A), "4107260001", "城关镇第一小学", "小学", "4", "否", ""],
        ["张三", A, "4107260002", "第一初级中学", "初中", "1", "否", "转学"],
        ["孙七", E, "4107260001", "城关镇第一小学", "小学", "9", "否", ""],
        ["阿依古丽•买买提", F, "4107260003", "第一高级中学", "普通高中", "1", "否", ""],
        ["周八", FullWidth(G), "4107260004", "职业中等专业学校", "中职", "3", "否", ""],
        ["吴九", H[..6] + " " + H[6..14] + "\u3000" + H[14..].ToLowerInvariant(), "4107260005", "城关镇中心幼儿园", "学前", "2", "是", ""],
    ];

    public static readonly string[] PovertyHeader = ["序号", "户编号", "姓名", "身份证号", "乡镇", "村", "人员类别"];

    public static string[][] Poverty() =>
    [
        ["1", "H001", "张三", A, "城关镇", "东关村", "脱贫户"],
        ["2", "H002", "李四", B, "城关镇", "西关村", "监测户"],
        ["3", "H003", "赵陆", D, "东屯镇", "东屯村", "低保户"],
        ["4", "H004", "阿依古丽·买买提", F, "城关镇", "北街村", "脱贫户"],
        ["5", "H005", "周八", G, "石婆固镇", "石婆固村", "脱贫户"],
        ["6", "H006", "吴九", H, "城关镇", "南街村", "监测户"],
        ["7", "H007", "郑十", I, "东屯镇", "后屯村", "脱贫户"],
        ["8", "H007", "郑大", J, "东屯镇", "后屯村", "脱贫户"],
        ["9", "H008", "冯一", "41072619860315", "东屯镇", "后屯村", "脱贫户"],
        ["10", "H002", "李四", B, "城关镇", "西关村", "监测户"],
    ];

    public static readonly string[] AccountsHeader = ["身份证号", "账户名", "账号", "开户行"];

    /// <summary>An account for every child who is or may become eligible, in the child's or a parent's name.</summary>
    public static string[][] Accounts() =>
    [
        [A, "张三", Disbursement.FakeAccountsRegistry.CardNumber(1), "中国农业银行延津县支行"],
        [B, "李四", Disbursement.FakeAccountsRegistry.CardNumber(2), "中国农业银行延津县支行"],
        [D, "赵六", Disbursement.FakeAccountsRegistry.CardNumber(4), "延津县农村信用合作联社"],
        [F, "阿依古丽·买买提", Disbursement.FakeAccountsRegistry.CardNumber(6), "中国农业银行延津县支行"],
        [G, "周八", Disbursement.FakeAccountsRegistry.CardNumber(7), "中国邮政储蓄银行延津县支行"],
        [H, "吴九", Disbursement.FakeAccountsRegistry.CardNumber(8), "中国农业银行延津县支行"],
    ];

    /// <summary>What DOMAIN.md's counting rules give for the rows above.</summary>
    public static class Expected
    {
        public const int Students = 10;
        public const int PovertyPersons = 10;
        public const int Matched = 6;      // A B D F G H
        public const int Eligible = 5;     // A B F G H (D pending)
        public const int PendingReview = 1;
        public const int InvalidId = 2;    // student row 6, poverty row 10
        public const int DuplicateId = 2;  // student row 7 (A again), poverty row 11 (B again)
        public const int NameMismatch = 1;
        public const int NotEnrolled = 1;  // I, age 10
        public const int InvalidRow = 1;   // student row 8, grade 9 in primary
        public const decimal LivingSubsidy = 625m + 375m;
        public const decimal HsGrant = 1150m;
        public const decimal Preschool = 500m;
        public const decimal Total = LivingSubsidy + HsGrant + Preschool;
    }

    public static byte[] Csv(string[] header, string[][] rows, Encoding encoding, bool bom = false)
    {
        var text = new StringBuilder();
        foreach (var line in rows.Prepend(header))
        {
            text.Append(string.Join(',', line.Select(Quote))).Append("\r\n");
        }

        var bytes = encoding.GetBytes(text.ToString());
        return bom ? [.. encoding.GetPreamble(), .. bytes] : bytes;
    }

    private static string Quote(string value) => value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"") + "\"" : " " + value + " ";

    public static Encoding Gbk
    {
        get
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding(54936);
        }
    }

    /// <summary>An XLSX with shared strings; the ID column as numeric cells when <paramref name="numericIds"/> (exact integer literals).</summary>
    public static byte[] Xlsx(string[] header, string[][] rows, int idColumn, bool numericIds, string? lostPrecisionId = null)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var strings = workbook.AddNewPart<SharedStringTablePart>();
            var table = new SharedStringTable();
            var index = new Dictionary<string, int>();
            int Shared(string s)
            {
                if (!index.TryGetValue(s, out var i))
                {
                    i = index[s] = index.Count;
                    table.AppendChild(new SharedStringItem(new Text(s)));
                }

                return i;
            }

            var sheetData = new SheetData();
            var r = 1u;
            foreach (var line in rows.Prepend(header))
            {
                var row = new Row { RowIndex = r };
                for (var c = 0; c < line.Length; c++)
                {
                    var value = line[c];
                    var reference = $"{(char)('A' + c)}{r}";
                    if (r > 1 && c == idColumn && numericIds && value.All(char.IsAsciiDigit))
                    {
                        row.AppendChild(new Cell { CellReference = reference, CellValue = new CellValue(value) });
                    }
                    else if (r > 1 && c == idColumn && lostPrecisionId is not null && value == lostPrecisionId)
                    {
                        // What Excel keeps of an 18-digit number typed into a numeric cell: 15 significant digits.
                        row.AppendChild(new Cell { CellReference = reference, CellValue = new CellValue($"{value[0]}.{value[1..15]}E+17") });
                    }
                    else
                    {
                        row.AppendChild(new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(Shared(value).ToString(System.Globalization.CultureInfo.InvariantCulture)) });
                    }
                }

                sheetData.AppendChild(row);
                r++;
            }

            strings.SharedStringTable = table;
            var sheet = workbook.AddNewPart<WorksheetPart>();
            sheet.Worksheet = new Worksheet(sheetData);
            workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "Sheet1", SheetId = 1, Id = workbook.GetIdOfPart(sheet) }));
        }

        return stream.ToArray();
    }
}
