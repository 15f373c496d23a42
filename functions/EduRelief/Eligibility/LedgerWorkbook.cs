using System.Globalization;
using System.Runtime.CompilerServices;
using EduRelief.Disbursement;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Rosters;

namespace EduRelief.Eligibility;

/// <summary>
/// The county's ledgers (台账) as one workbook: a sheet per programme, 控辍保学 listing the registered children of
/// school age found in no school, for follow-up, and 外地就学 listing those studying outside the county. ID numbers are
/// masked. Rows are streamed from storage into the sheets.
/// </summary>
public static class LedgerWorkbook
{
    public static readonly IReadOnlyDictionary<string, string> ProgramSheets = new Dictionary<string, string>
    {
        ["preschool_aid"] = "学前资助",
        ["living_subsidy"] = "生活补助",
        ["hs_grant"] = "普通高中助学金",
        ["vocational_grant"] = "中职助学金",
        ["college_grant"] = "高校助学金",
    };

    public const string DropoutSheet = "控辍保学";

    public const string OutsideSheet = "外地就学";

    public static readonly string[] ProgramHeader = ["序号", "学校标识码", "学校名称", "姓名", "身份证号", "学段", "年级", "是否住校", "金额(元)", "来源", "发放状态", "批次", "发放日期"];

    public static readonly string[] DropoutHeader = ["序号", "姓名", "乡镇", "村", "年龄", "身份证号", "说明"];

    public static readonly string[] OutsideHeader = ["序号", "姓名", "乡镇", "村", "年龄", "身份证号", "就读省市", "就读学校", "学段", "年级"];

    public static Task WriteAsync(Stream output, EligibilityStore store, PaymentStatusQueries payments, string cycleId, string runId, CancellationToken cancellationToken) =>
        XlsxWorkbook.WriteAsync(
            output,
            [
                .. ProgramSheets.Select(p => new XlsxSheet(p.Value, ProgramHeader, ProgramCells(store, payments, cycleId, runId, p.Key, cancellationToken))),
                new XlsxSheet(DropoutSheet, DropoutHeader, DropoutCells(store.AllDiscrepanciesAsync(cycleId, runId, DiscrepancyKinds.NotEnrolled, cancellationToken))),
                new XlsxSheet(OutsideSheet, OutsideHeader, OutsideCells(store.AllDiscrepanciesAsync(cycleId, runId, DiscrepancyKinds.OutsideCounty, cancellationToken))),
            ],
            cancellationToken);

    /// <summary>The program's sheet: its payments are read when the sheet is written, then its ledger rows streamed.</summary>
    private static async IAsyncEnumerable<object[]> ProgramCells(
        EligibilityStore store, PaymentStatusQueries payments, string cycleId, string runId, string program, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var paid = await payments.ForProgramAsync(cycleId, program, cancellationToken);
        await foreach (var row in Cells(store.AllLedgerAsync(cycleId, runId, program, cancellationToken), paid).WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>
    /// The program's ledger rows with their payment (blank before the notice ended), then the entitlements confirmed
    /// after verification that the ledger does not list (a 控辍保学 child found enrolled): every child owed, once.
    /// </summary>
    private static async IAsyncEnumerable<object[]> Cells(IAsyncEnumerable<LedgerRow> rows, Dictionary<string, EntitlementState> paid)
    {
        var n = 0;
        await foreach (var r in rows)
        {
            var payment = paid.Remove(r.IdNumber.PersonKey, out var p) ? p : null;
            yield return [++n, r.SchoolCode, r.SchoolName, r.Name, r.IdNumber.Masked, r.Stage, r.Grade, r.Boarding ? "是" : "否", r.Amount, SourceLabel(r.Source), .. PaymentCells(payment)];
        }

        foreach (var p in paid.Values.OrderBy(p => p.SchoolCode, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            yield return [++n, p.SchoolCode, p.SchoolName, p.Name, p.IdNumber.Masked, "", "", "", p.Amount, "整改确认", .. PaymentCells(p)];
        }
    }

    private static string SourceLabel(string source) => source switch
    {
        "review" => "复核确认",
        "rectification" => "整改确认",
        _ => "比对",
    };

    /// <summary>发放状态, 批次, 发放日期 (the China date).</summary>
    private static object[] PaymentCells(EntitlementState? p) =>
        p is null ? ["", "", ""] : [PaymentStatusQueries.ChineseStatus.GetValueOrDefault(p.Status, p.Status), p.BatchId ?? "", p.PaidAt is { } at ? ChinaTime.ToChina(at).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : ""];

    private static async IAsyncEnumerable<object[]> DropoutCells(IAsyncEnumerable<DiscrepancyRow> rows)
    {
        var n = 0;
        await foreach (var r in rows)
        {
            yield return [++n, r.PovertyName ?? "", r.Township ?? "", r.Village ?? "", r.Age ?? 0, r.MaskedId ?? "",
                r.CompletedCompulsory ? "上学期已读完初中三年级或更高学段，已完成义务教育，不作控辍保学跟进" : "建档立卡适龄儿童未在学籍名册中"];
        }
    }

    /// <summary>The registered children on the cycle's 外地就学 list who are in no school's roster of the county.</summary>
    private static async IAsyncEnumerable<object[]> OutsideCells(IAsyncEnumerable<DiscrepancyRow> rows)
    {
        var n = 0;
        await foreach (var r in rows)
        {
            yield return [++n, r.PovertyName ?? "", r.Township ?? "", r.Village ?? "", r.Age ?? 0, r.MaskedId ?? "", r.Place ?? "", r.SchoolName ?? "", r.Stage ?? "", r.Grade ?? 0];
        }
    }
}
