using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Rectification;
using Xunit;

namespace EduRelief.Tests.Rectification;

/// <summary>Sample evidence files, built in memory.</summary>
public static class EvidenceSamples
{
    public static byte[] Pdf(string text = "整改报告") =>
        System.Text.Encoding.UTF8.GetBytes($"%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public static byte[] Png() =>
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
    ];

    public static byte[] Jpeg() => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01];

    public static byte[] Gif() => "GIF89a\x01\x00\x01\x00"u8.ToArray();

    public static byte[] Webp() => "RIFF\x24\x00\x00\x00WEBPVP8 "u8.ToArray();

    public static byte[] Xlsx()
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var sheet = workbook.AddNewPart<WorksheetPart>();
            sheet.Worksheet = new Worksheet(new SheetData(new Row(new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text("已入学")) })));
            workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "Sheet1", SheetId = 1, Id = workbook.GetIdOfPart(sheet) }));
        }

        return stream.ToArray();
    }

    /// <summary>A ZIP that is not a workbook (a .docx-like package without an xl/ part).</summary>
    public static byte[] PlainZip()
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in new[] { ("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>") })
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(text);
            }
        }

        return stream.ToArray();
    }
}

public sealed class EvidenceFormatsTests
{
    public static TheoryData<string, string> Samples() => new()
    {
        { "pdf", EvidenceFormats.Pdf },
        { "png", EvidenceFormats.Png },
        { "jpeg", EvidenceFormats.Jpeg },
        { "gif", EvidenceFormats.Gif },
        { "webp", EvidenceFormats.Webp },
        { "xlsx", EvidenceFormats.Xlsx },
    };

    private static byte[] Sample(string kind) => kind switch
    {
        "pdf" => EvidenceSamples.Pdf(),
        "png" => EvidenceSamples.Png(),
        "jpeg" => EvidenceSamples.Jpeg(),
        "gif" => EvidenceSamples.Gif(),
        "webp" => EvidenceSamples.Webp(),
        _ => EvidenceSamples.Xlsx(),
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Detect_KnownMagicBytes_ReturnsTheirType(string kind, string expected)
    {
        Assert.Equal(expected, EvidenceFormats.Detect(new MemoryStream(Sample(kind))));
    }

    [Fact]
    public void Detect_ZipWithoutWorkbookPart_IsNotXlsx()
    {
        Assert.Null(EvidenceFormats.Detect(new MemoryStream(EvidenceSamples.PlainZip())));
    }

    [Fact]
    public void Detect_TruncatedZipHeader_IsNothing()
    {
        Assert.Null(EvidenceFormats.Detect(new MemoryStream([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("%PD")]
    [InlineData("just some text, not a file")]
    [InlineData("RIFF\u0024\0\0\0WAVEfmt ")]
    public void Detect_OtherContent_IsNothing(string text)
    {
        Assert.Null(EvidenceFormats.Detect(new MemoryStream(System.Text.Encoding.Latin1.GetBytes(text))));
    }

    [Theory]
    [InlineData("报告.PDF", EvidenceFormats.Pdf)]
    [InlineData("photo.jpeg", EvidenceFormats.Jpeg)]
    [InlineData("photo.jpg", EvidenceFormats.Jpeg)]
    [InlineData("台账.xlsx", EvidenceFormats.Xlsx)]
    [InlineData("run.exe", null)]
    [InlineData("noextension", null)]
    public void FromFileName_Extension_MapsToType(string name, string? expected)
    {
        Assert.Equal(expected, EvidenceFormats.FromFileName(name));
    }

    [Theory]
    [InlineData("Application/PDF; charset=binary", EvidenceFormats.Pdf)]
    [InlineData("image/jpg", EvidenceFormats.Jpeg)]
    [InlineData("", null)]
    public void Normalize_DeclaredType_LowerCaseWithoutParameters(string declared, string? expected)
    {
        Assert.Equal(expected, EvidenceFormats.Normalize(declared));
    }
}

public sealed class RectificationLifecycleTests
{
    private static ItemState Item(string status, int evidence = 0, bool dropout = false) => new(status, dropout, evidence);

    [Theory]
    [InlineData(null, true)]
    [InlineData("corrected", true)]
    [InlineData("enrolled", false)]
    [InlineData("studying_elsewhere", false)]
    public void Submit_MismatchItem_TakesNoOutcomeOrCorrectedOnly(string? outcome, bool accepted)
    {
        var (change, refusal) = RectificationLifecycle.Submit(new ItemState("open", IsDropout: false, EvidenceCount: 1, IsMismatch: true), new SubmitRequest("学籍姓名已更正", outcome));
        Assert.Equal(accepted, change is not null);
        Assert.Equal(accepted, refusal is null);
        if (!accepted)
        {
            Assert.Contains("outcome", refusal!.Errors.Keys);
        }
    }

    [Fact]
    public void Submit_OrdinaryItemWithCorrected_IsRefusedNamingOutcome()
    {
        var (_, refusal) = RectificationLifecycle.Submit(Item("open", 1), new SubmitRequest("已整改", "corrected"));
        Assert.Contains("outcome", refusal!.Errors.Keys);
    }

    [Fact]
    public void Submit_OpenWithEvidenceAndNote_MovesToSubmitted()
    {
        var (change, refusal) = RectificationLifecycle.Submit(Item("open", 1), new SubmitRequest(" 已整改完毕 "));

        Assert.Null(refusal);
        Assert.Equal("submitted", change!.To);
        Assert.Equal("已整改完毕", change.Note);
    }

    [Fact]
    public void Submit_ReturnedItem_CanBeSubmittedAgain()
    {
        Assert.Equal("submitted", RectificationLifecycle.Submit(Item("returned", 2), new SubmitRequest("补充材料")).Change!.To);
    }

    [Fact]
    public void Submit_NoEvidenceNoNote_IsInvalidNamingBoth()
    {
        var (change, refusal) = RectificationLifecycle.Submit(Item("open"), new SubmitRequest("  "));

        Assert.Null(change);
        Assert.Equal(RefusalKind.Invalid, refusal!.Kind);
        Assert.Equal(new[] { "evidence", "note" }, refusal.Errors.Keys.Order());
    }

    [Theory]
    [InlineData("submitted")]
    [InlineData("accepted")]
    public void Submit_NotWithTheOwner_IsConflict(string status)
    {
        Assert.Equal(RefusalKind.Conflict, RectificationLifecycle.Submit(Item(status, 1), new SubmitRequest("再次提交")).Refusal!.Kind);
    }

    [Fact]
    public void Submit_DropoutEnrolledWithSchool_NeedsNoEvidence()
    {
        var (change, refusal) = RectificationLifecycle.Submit(Item("open", 0, dropout: true), new SubmitRequest("已劝返入学", DropoutOutcomes.Enrolled, "4107260002", Stage: "初中", Grade: 1));

        Assert.Null(refusal);
        Assert.Equal("submitted", change!.To);
    }

    [Fact]
    public void Submit_DropoutEnrolledWithoutSchool_IsInvalidNamingSchoolCode()
    {
        var refusal = RectificationLifecycle.Submit(Item("open", 0, dropout: true), new SubmitRequest("已入学", DropoutOutcomes.Enrolled, "41072600", Stage: "小学", Grade: 3)).Refusal!;

        Assert.Equal(new[] { "schoolCode" }, refusal.Errors.Keys);
    }

    [Theory]
    [InlineData(null, 3, "stage")]
    [InlineData("六年级", 3, "stage")]
    [InlineData("小学", null, "grade")]
    [InlineData("小学", 7, "grade")]
    [InlineData("初中", 0, "grade")]
    public void Submit_DropoutEnrolledWithoutAValidClass_IsInvalidNamingIt(string? stage, int? grade, string field)
    {
        var refusal = RectificationLifecycle.Submit(Item("open", 0, dropout: true), new SubmitRequest("已入学", DropoutOutcomes.Enrolled, "4107260002", Stage: stage, Grade: grade)).Refusal!;

        Assert.Equal(new[] { field }, refusal.Errors.Keys);
    }

    [Fact]
    public void Submit_DropoutStudyingElsewhereWithoutEvidence_IsInvalid()
    {
        var refusal = RectificationLifecycle.Submit(Item("open", 0, dropout: true), new SubmitRequest("在郑州就读", DropoutOutcomes.StudyingElsewhere)).Refusal!;

        Assert.Equal(new[] { "evidence" }, refusal.Errors.Keys);
    }

    [Fact]
    public void Submit_DropoutExemptWithEvidenceButNoReason_IsInvalidNamingReason()
    {
        var refusal = RectificationLifecycle.Submit(Item("open", 1, dropout: true), new SubmitRequest("免予入学", DropoutOutcomes.Exempt)).Refusal!;

        Assert.Equal(new[] { "reason" }, refusal.Errors.Keys);
        Assert.NotNull(RectificationLifecycle.Submit(Item("open", 1, dropout: true), new SubmitRequest("免予入学", DropoutOutcomes.Exempt, Reason: "重度残疾，送教上门")).Change);
    }

    [Fact]
    public void Submit_DropoutWithoutOutcome_IsInvalidNamingOutcome()
    {
        Assert.Equal(new[] { "outcome" }, RectificationLifecycle.Submit(Item("open", 1, dropout: true), new SubmitRequest("已处理")).Refusal!.Errors.Keys);
    }

    [Fact]
    public void Submit_OutcomeOnOrdinaryItem_IsInvalid()
    {
        Assert.Equal(new[] { "outcome" }, RectificationLifecycle.Submit(Item("open", 1), new SubmitRequest("已处理", DropoutOutcomes.Enrolled, "4107260002")).Refusal!.Errors.Keys);
    }

    [Fact]
    public void Accept_Submitted_MovesToAccepted()
    {
        Assert.Equal("accepted", RectificationLifecycle.Accept(Item("submitted", 1), null).Change!.To);
    }

    [Theory]
    [InlineData("open")]
    [InlineData("returned")]
    [InlineData("accepted")]
    public void AcceptOrReturn_NotSubmitted_IsConflict(string status)
    {
        Assert.Equal(RefusalKind.Conflict, RectificationLifecycle.Accept(Item(status, 1), null).Refusal!.Kind);
        Assert.Equal(RefusalKind.Conflict, RectificationLifecycle.Return(Item(status, 1), "材料不全").Refusal!.Kind);
    }

    [Fact]
    public void Return_WithoutReason_IsInvalidNamingReason()
    {
        var refusal = RectificationLifecycle.Return(Item("submitted", 1), " ").Refusal!;

        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Equal(new[] { "reason" }, refusal.Errors.Keys);
    }

    [Fact]
    public void Return_WithReason_MovesToReturnedRecordingTheReason()
    {
        var change = RectificationLifecycle.Return(Item("submitted", 1), "照片不清晰").Change!;

        Assert.Equal("returned", change.To);
        Assert.Equal("照片不清晰", change.Note);
    }

    [Theory]
    [InlineData("open", true)]
    [InlineData("returned", true)]
    [InlineData("submitted", false)]
    [InlineData("accepted", false)]
    public void AddEvidence_OnlyWhileWithTheOwner(string status, bool allowed)
    {
        var (change, refusal) = RectificationLifecycle.AddEvidence(Item(status));

        Assert.Equal(allowed, change is not null);
        Assert.Equal(allowed, refusal is null);
    }
}

public sealed class RectificationInputTests
{
    private static RectificationItemInput Input(string title = "学生资助公示不规范", string owner = "school:4107260001", int? days = null, string? description = null) =>
        new("410726-2026-autumn", RectificationSources.Inspection, "insp-1/1", title, description, owner, DeadlineWorkingDays: days);

    [Fact]
    public void Validate_GoodInput_HasNoErrors()
    {
        Assert.Empty(Input().Validate());
        Assert.Empty(Input(owner: "section:资助股").Validate());
    }

    [Fact]
    public void Validate_IdNumberInTitleOrDescription_IsRefused()
    {
        var errors = Input(title: "张三 41072620100101123X 未入学", description: "旧号码 410726100101123").Validate("findings[0].");

        Assert.Equal(new[] { "findings[0].description", "findings[0].title" }, errors.Keys.Order());
    }

    [Fact]
    public void MaskIdNumbers_IdInFileName_KeepsFirstSixAndLastFour()
    {
        Assert.Equal("410726********123X 户口本.jpg", SensitiveText.MaskIdNumbers("41072620100101123X 户口本.jpg"));
        Assert.Equal("现场照片2026.png", SensitiveText.MaskIdNumbers("现场照片2026.png"));
    }

    [Theory]
    [InlineData("身份证410726201306280025", "身份证410726********0025")]
    [InlineData("身份证 4107 2620 1306 2800 25 已核", "身份证 410726********0025 已核")]
    [InlineData("身份证41072620130628002x。", "身份证410726********002X。")]
    [InlineData("410726-20130628-0025", "410726********0025")]
    [InlineData("４１０７２６２０１３０６２８００２５", "410726********0025")]
    [InlineData("４１０７２６　２０１３０６２８　００２Ｘ", "410726********002X")]
    [InlineData("旧证410726130628002", "旧证410726*****8002")]
    [InlineData("电话13812345678", "电话138****5678")]
    [InlineData("电话 138 1234 5678，", "电话 138****5678，")]
    [InlineData("电话138-1234-5678", "电话138****5678")]
    [InlineData("电话１３８１２３４５６７８", "电话138****5678")]
    [InlineData("电话１３８－１２３４－５６７８", "电话138****5678")]
    [InlineData("丁敏-410726201306280025-13912345678-在读证明.pdf", "丁敏-410726********0025-139****5678-在读证明.pdf")]
    [InlineData("家长13812345678和13912345678", "家长138****5678和139****5678")]
    public void Mask_IdAndMobileNumbersInAnySpelling_AreMasked(string text, string masked)
    {
        Assert.Equal(masked, SensitiveText.Mask(text));
        Assert.False(SensitiveText.HasIdNumber(masked));
    }

    [Theory]
    [InlineData("2026年10月9日 10:15 到校核查")]
    [InlineData("学校标识码4107260001，案号410726-2026-000123")]
    [InlineData("金额1150.00元，固话0373-1234567")]
    [InlineData("12345678901")]
    [InlineData("现场照片2026.png")]
    public void Mask_NoPersonalNumber_LeavesTextAlone(string text) => Assert.Equal(text, SensitiveText.Mask(text));

    [Theory]
    [InlineData("school:41072600")]
    [InlineData("teacher:王")]
    [InlineData("")]
    public void Validate_BadOwner_NamesOwner(string owner)
    {
        Assert.Equal(new[] { "owner" }, Input(owner: owner).Validate().Keys);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(251)]
    public void Validate_DeadlineOutOfRange_NamesIt(int days)
    {
        Assert.Equal(new[] { "deadlineWorkingDays" }, Input(days: days).Validate().Keys);
    }

    [Theory]
    [InlineData(0, 0, null)]
    [InlineData(1, 3, 0.3333)]
    [InlineData(2, 3, 0.6667)]
    [InlineData(3, 3, 1.0)]
    public void Rate_AcceptedOverAll_FourDecimalsOrNullForNone(int accepted, int items, double? expected)
    {
        Assert.Equal(expected is null ? null : (decimal)expected.Value, RectificationStore.Rate(accepted, items));
    }
}
