using System.Globalization;
using System.Text;
using EduRelief.Counties;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Notices;

namespace EduRelief.Policy;

/// <summary>
/// The public 明白纸 (anonymous, the PublicPolicy function's route <c>policy/{*path}</c>):
/// <c>GET /policy/{countyCode}/{schoolYear}</c>, with the public notices' headers and CSP (the same filter). A county
/// or year without a policy, or a county without published contacts (the page must say how to object), answers a
/// Chinese 404 page.
/// </summary>
public static class PolicyPageEndpoints
{
    public static void MapPolicyPage(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/policy").AllowAnonymous().AddEndpointFilter(NoticeEndpoints.PublicPageHeaders);
        group.MapMethods("/{countyCode}/{schoolYear}", ["GET", "HEAD"], async (string countyCode, string schoolYear, CountyCatalog counties, PolicyStore policies, CountyContactsStore contacts, CancellationToken ct) =>
        {
            // The public may type anything here: only a known county and a well-formed year reach storage.
            if (!counties.TryGet(countyCode, out var county) || !TryParseYear(schoolYear, out var year)
                || await policies.ResolveAsync(year, countyCode, ct) is not { } policy
                || await contacts.GetAsync(countyCode, ct) is not { } published)
            {
                return TypedResults.Content(PolicyPage.NotFound(), PolicyPage.HtmlType, Encoding.UTF8, StatusCodes.Status404NotFound);
            }

            return TypedResults.Content(PolicyPage.Html(county.Name, policy, published), PolicyPage.HtmlType, Encoding.UTF8);
        });
    }

    private static bool TryParseYear(string text, out int year) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out year) && text.Length == 4
        && year is >= PolicyStore.MinSchoolYear and <= PolicyStore.MaxSchoolYear;
}
