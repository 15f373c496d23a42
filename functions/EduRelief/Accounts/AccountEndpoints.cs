using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Accounts;

/// <summary>The answer to an upload: rows = valid + invalidAccount + duplicate.</summary>
public sealed record AccountsUploaded(int Rows, int Valid, int InvalidAccount, int Duplicate, string Sha256);

/// <summary>A search by ID number, in the body: never in a URL.</summary>
public sealed record AccountSearch(string? IdNumber);

/// <summary>One account of a child, masked.</summary>
public sealed record AccountEntryView(string MaskedAccount, string Holder, string Bank, bool Valid, DateTimeOffset UploadedAt, string UploadedBy, string FileSha256)
{
    public static AccountEntryView Of(AccountRecord r) => new(r.MaskedAccount, r.Holder, r.Bank, r.Valid, r.UploadedAt, r.UploadedBy, r.FileSha256);
}

/// <summary>A child's latest account (status valid or invalidAccount) and every account it had, oldest first.</summary>
public sealed record AccountView(
    string MaskedAccount, string Holder, string Bank, bool Valid, string Status, DateTimeOffset UploadedAt, string UploadedBy, string FileSha256, IReadOnlyList<AccountEntryView> History);

public static class AccountEndpoints
{
    public static IServiceCollection AddAccounts(this IServiceCollection services) => services
        .AddSingleton<AccountsStore>()
        .AddSingleton<IAccountsRegistry>(sp => sp.GetRequiredService<AccountsStore>())
        .AddSingleton<SchoolRoll>()
        .AddSingleton<CycleAccounts>()
        .AddSingleton<ICycleFigures, AccountsCycleFigures>();

    public static void MapAccounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/counties/{countyCode}/accounts");

        // The bureau registers any child's account; a school officer only their own school's children.
        group.MapPut("", UploadAsync).RequireAuthorization(p => p.RequireAssertion(c =>
            c.User.IsInRole(Roles.BureauAdmin) || (c.User.IsInRole(Roles.SchoolOfficer) && c.User.SchoolCode() is not null)));
        group.MapPost("/search", SearchAsync).RequireAuthorization(Policies.Staff);
    }

    private static async Task<IResult> UploadAsync(
        string countyCode, HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, AccountsStore store, SchoolRoll roll, CycleService cycles, CycleAccounts cycleAccounts,
        TimeProvider clock, ILoggerFactory logs, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        await using var upload = await FileUploads.SpoolAsync(http, new Text("账户文件", "An accounts file"), AccountsStore.MaxFileBytes, ct);
        if (upload.Problem is not null)
        {
            return upload.Problem;
        }

        var allowed = user.IsInRole(Roles.BureauAdmin) ? null : await roll.PersonKeysAsync(countyCode, user.SchoolCode()!, ct);
        AccountsFileContent content;
        RosterFormat format;
        try
        {
            await using var file = upload.File!.OpenRead();
            format = await RosterReader.DetectFormatAsync(file, upload.ContentType, ct);
            content = await AccountsFile.ReadAsync(RosterReader.ReadAsync(file, format, RosterKind.Accounts, ct), ChinaTime.Today(clock), allowed, ct);
        }
        catch (RosterFileException ex)
        {
            return RosterEndpoints.Unreadable(ex);
        }

        if (content.Refused)
        {
            return Problems.Invalid(content.Errors.ToDictionary());
        }

        var sha256 = upload.File!.Sha256;
        await store.SaveFileAsync(upload.File.Path, sha256, format == RosterFormat.Xlsx ? FileUploads.XlsxType : "text/csv", ct);
        var applied = await store.ApplyAsync(countyCode, content.Lines, sha256, user.Actor(), clock.GetUtcNow(), ct);
        logs.CreateLogger(typeof(AccountEndpoints)).LogInformation(
            "Accounts file {Sha256} for county {CountyCode}: {Rows} rows, {Changed} accounts changed, registry version {Version}",
            sha256, countyCode, content.Rows, applied.Changed, applied.Version.Version);
        if (applied.Changed > 0)
        {
            await RefreshCyclesAsync(countyCode, applied, store, cycles, cycleAccounts, ct);
        }

        return TypedResults.Accepted((string?)null, new AccountsUploaded(content.Rows, content.Valid, content.InvalidAccount, content.Duplicate, sha256));
    }

    /// <summary>
    /// Every cycle of the county that is verified and not yet closed sees the new accounts at once: its figures, holder
    /// mismatches and items, all checked against one reading of the registry (the upload's own when no other upload came
    /// between). Then the version is read again: when another upload moved it meanwhile, its accounts may be missing
    /// from what was just written (and its own check may have landed first), so the cycles are checked again against the
    /// registry read anew, until the version holds still. Whichever upload's check lands last has seen both.
    /// </summary>
    private static async Task RefreshCyclesAsync(string countyCode, AccountsApplied applied, AccountsStore store, CycleService cycles, CycleAccounts cycleAccounts, CancellationToken ct)
    {
        const int MaxRounds = 5;
        var county = await CountyCyclesAsync(countyCode, cycles, ct);
        var (latest, version) = (applied.Latest, applied.Version.Version);
        for (var round = 0; round < MaxRounds; round++)
        {
            latest ??= await store.LatestForCountyAsync(countyCode, ct);
            foreach (var cycle in county)
            {
                await cycleAccounts.RefreshAsync(cycle, latest, ct);
            }

            var now = await store.GetVersionAsync(countyCode, ct);
            if (now.Version == version)
            {
                return;
            }

            (latest, version) = (null, now.Version);
        }
    }

    private static async Task<List<Cycle>> CountyCyclesAsync(string countyCode, CycleService cycles, CancellationToken ct)
    {
        var all = new List<Cycle>();
        string? token = null;
        do
        {
            var page = await cycles.ListAsync(new CycleFilter(countyCode, null, null), token, 100, ct);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return all;
    }

    private static async Task<IResult> SearchAsync(
        string countyCode, HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, AccountsStore store, SchoolRoll roll, IOptions<JsonOptions> json, TimeProvider clock, CancellationToken ct)
    {
        if (!counties.TryGet(countyCode, out _))
        {
            return Problems.NotFound(Messages.County(countyCode));
        }

        var (body, problem) = await JsonBody.ReadAsync<AccountSearch>(http, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var id = IdNumbers.Normalize(body!.IdNumber);
        if (IdNumbers.Validate(id, ChinaTime.Today(clock)) is var idProblem and not IdProblem.None)
        {
            return Problems.Invalid("idNumber", IdNumbers.Describe(idProblem));
        }

        if (user.IsInRole(Roles.SchoolOfficer) && !(await roll.PersonKeysAsync(countyCode, user.SchoolCode()!, ct)).Contains(PersonKeys.Of(id)))
        {
            return Problems.Forbidden(new Text("学校经办人只能查看本校学生的账户。", "A school officer sees the accounts of their own school's children only."));
        }

        if (await store.GetLatestAsync(countyCode, id, ct) is not { } latest)
        {
            return Problems.NotFound(new Text("该学生的账户", "An account for this child"));
        }

        var history = await store.GetHistoryAsync(countyCode, id, ct);
        return TypedResults.Ok(new AccountView(
            latest.MaskedAccount, latest.Holder, latest.Bank, latest.Valid, latest.Valid ? "valid" : AccountRules.Name(AccountStatus.InvalidAccount),
            latest.UploadedAt, latest.UploadedBy, latest.FileSha256, history.Select(AccountEntryView.Of).ToList()));
    }
}
