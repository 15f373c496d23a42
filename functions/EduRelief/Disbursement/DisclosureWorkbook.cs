using EduRelief.Exports;
using EduRelief.Eligibility;

namespace EduRelief.Disbursement;

/// <summary>The fund disclosure (资金发放公示) the bureau publishes after payment: per school and program, recipients and amount. No personal data.</summary>
public static class DisclosureWorkbook
{
    public static readonly string[] Header = ["学校标识码", "学校名称", "资助项目", "受助人数", "发放金额(元)"];

    public static async Task<byte[]> WriteAsync(string cycleId, IReadOnlyList<DisclosureRow> rows, CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        await XlsxWorkbook.WriteAsync(memory, [new XlsxSheet("资金发放公示", Header, Cells(rows).ToAsyncEnumerable())], cancellationToken, title: $"{cycleId} 资金发放公示");
        return memory.ToArray();
    }

    private static IEnumerable<object[]> Cells(IReadOnlyList<DisclosureRow> rows) =>
    [
        .. rows.Select(r => new object[] { r.SchoolCode, r.SchoolName, BankFiles.ProgramName(r.Program), r.Recipients, r.Amount }),
        ["合计", "", "", rows.Sum(r => r.Recipients), rows.Sum(r => r.Amount)],
    ];
}
