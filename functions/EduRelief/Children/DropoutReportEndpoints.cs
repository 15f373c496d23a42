using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Storage;
using EduRelief.Workflow;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Children;

/// <summary>A report as the API answers it: figures only (no child is named), the county's and each township's and village's.</summary>
public sealed record DropoutReportView(
    string Id, string CountyCode, string Month, string ReferenceSemester, DateTimeOffset CreatedAt, DropoutFiguresView Figures,
    IReadOnlyList<DropoutTownshipView> Townships, IReadOnlyList<CertifiedVillageView> CertifiedVillages, string Workbook)
{
    public static DropoutReportView From(DropoutReport r) => new(
        r.Id, r.CountyCode, r.Content.Month, r.Content.ReferenceSemester, r.CreatedAt, DropoutFiguresView.From(r.Content.County),
        [.. r.Content.Townships.Select(t => new DropoutTownshipView(t.Township, DropoutFiguresView.From(t.Figures),
            [.. t.Villages.Select(v => new DropoutVillageView(v.Village, DropoutFiguresView.From(v.Figures), v.Certified))]))],
        [.. r.Content.CertifiedVillages.Select(c => new CertifiedVillageView(c.Township, c.Village.Village))],
        $"/api/counties/{r.CountyCode}/dropout-reports/{r.Id}/workbook");
}

/// <summary>A report in the list: its month and the county's figures.</summary>
public sealed record DropoutReportSummary(string Id, string Month, string ReferenceSemester, DateTimeOffset CreatedAt, DropoutFiguresView Figures, int CertifiedVillages, int Villages);

public sealed record DropoutFiguresView(int SchoolAge, int Enrolled, int Outside, int HomeSchooling, int Deferred, int NotInSchool, int Returned, decimal? ConsolidationRate)
{
    public static DropoutFiguresView From(DropoutFigures f) => new(f.SchoolAge, f.Enrolled, f.Outside, f.HomeSchooling, f.Deferred, f.NotInSchool, f.Returned, f.ConsolidationRate);
}

public sealed record DropoutTownshipView(string Township, DropoutFiguresView Figures, IReadOnlyList<DropoutVillageView> Villages);

public sealed record DropoutVillageView(string Village, DropoutFiguresView Figures, bool Certified);

public sealed record CertifiedVillageView(string Township, string Village);

/// <summary>The 控辍保学 monthly reports: the county's list, one report, its workbook.</summary>
public static class DropoutReportEndpoints
{
    public static IServiceCollection AddDropoutReports(this IServiceCollection services) => services
        .AddSingleton<DropoutReports>()
        .AddSingleton(sp => new Lazy<CycleService>(sp.GetRequiredService<CycleService>))
        .AddSingleton<WorkflowDefinition, DropoutReportDefinition>()
        .AddSingleton<IActivity, DropoutReportActivity>();

    public static void MapDropoutReports(this IEndpointRouteBuilder app)
    {
        var county = app.MapGroup("/api/counties/{countyCode}/dropout-reports");
        county.MapGet("", ListAsync).RequireAuthorization(Policies.Staff);
        county.MapGet("/{reportId}", GetAsync).RequireAuthorization(Policies.Staff);
        county.MapGet("/{reportId}/workbook", WorkbookAsync).WithNoStore().RequireAuthorization(Policies.Staff);
    }

    private static async Task<Results<Ok<Page<DropoutReportSummary>>, ProblemHttpResult>> ListAsync(
        string countyCode, string? continuationToken, int? pageSize, CountyCatalog counties, DropoutReports reports, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        var page = await reports.ListAsync(countyCode, continuationToken, size, ct);
        return TypedResults.Ok(new Page<DropoutReportSummary>(
            [.. page.Items.Select(r => new DropoutReportSummary(
                r.Id, r.Content.Month, r.Content.ReferenceSemester, r.CreatedAt, DropoutFiguresView.From(r.Content.County),
                r.Content.CertifiedVillages.Count(), r.Content.Townships.Sum(t => t.Villages.Count)))],
            page.ContinuationToken));
    }

    private static async Task<Results<Ok<DropoutReportView>, ProblemHttpResult>> GetAsync(string countyCode, string reportId, DropoutReports reports, CancellationToken ct)
    {
        var report = await reports.GetAsync(countyCode, reportId, ct);
        return report is null ? NotFound(countyCode, reportId) : TypedResults.Ok(DropoutReportView.From(report));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> WorkbookAsync(string countyCode, string reportId, DropoutReports reports, CancellationToken ct)
    {
        var report = await reports.GetAsync(countyCode, reportId, ct);
        return report is null
            ? NotFound(countyCode, reportId)
            : TypedResults.File(await reports.OpenWorkbookAsync(report, ct), FileUploads.XlsxType, $"{countyCode}-dropout-report-{report.Id}.xlsx");
    }

    private static ProblemHttpResult NotFound(string countyCode, string reportId) =>
        Problems.NotFound(new Text($"县 {countyCode} 的控辍保学月报 {reportId}", $"Dropout report {reportId} of county {countyCode}"));
}
