using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;

namespace EduRelief.Disbursement;

/// <summary>Each child's payment status in a cycle (per program): the bureau's county-wide, a school officer's own school only.</summary>
public static class PaymentStatusEndpoints
{
    public static void MapPaymentStatus(this IEndpointRouteBuilder app)
    {
        // Outside the cycle group: another school is refused (403) before the cycle is looked for.
        app.MapGet($"{CycleRoutes.Prefix}/payments", async (string id, string[]? status, string? schoolCode, string? continuationToken, int? pageSize, ClaimsPrincipal user, CycleService cycles, PaymentStatusQueries payments, Eligibility.SchoolNames names, CancellationToken ct) =>
        {
            if (!Paging.TryGetSize(pageSize, out var size, out var problem))
            {
                return (IResult)problem!;
            }

            var statuses = (status ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);
            if (statuses.FirstOrDefault(s => !PaymentStatusQueries.Statuses.Contains(s)) is { } unknown)
            {
                return Problems.Invalid("status", new Text($"status“{unknown}”不是以下之一：{string.Join(", ", PaymentStatusQueries.Statuses)}。", $"status '{unknown}' is not one of {string.Join(", ", PaymentStatusQueries.Statuses)}."));
            }

            var offset = 0;
            if (continuationToken is not null && (!int.TryParse(continuationToken, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
            {
                return Problems.Invalid("continuationToken", Messages.NotOurToken);
            }

            // A school officer reads their own school's children only, whatever the query asks.
            if (user.IsInRole(Roles.SchoolOfficer))
            {
                schoolCode ??= user.SchoolCode();
                if (!user.CanAccessSchool(schoolCode))
                {
                    return Problems.Forbidden(Messages.OtherSchool(await names.DescribeAsync(id, schoolCode, ct)));
                }
            }

            if (await cycles.FindAsync(id, ct) is null)
            {
                return Problems.NotFound(Messages.Cycle(id));
            }

            var all = await payments.ListAsync(id, statuses, schoolCode, ct);
            var next = offset + size < all.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null;
            return TypedResults.Ok(new { items = all.Skip(offset).Take(size).Select(PaymentStatusQueries.View), continuationToken = next });
        }).RequireAuthorization(Policies.Staff);
    }
}
