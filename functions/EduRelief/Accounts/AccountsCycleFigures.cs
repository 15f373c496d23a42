using System.Text.Json.Nodes;
using EduRelief.Cycles;

namespace EduRelief.Accounts;

/// <summary>
/// Adds <c>accounts: {withAccount, noAccount, invalidAccount, holderMismatch, pendingReview}</c> to a verified cycle,
/// from the counts the last accounts check kept (one point read, never a scan); a school officer gets their school's.
/// </summary>
public sealed class AccountsCycleFigures(CycleAccounts accounts) : ICycleFigures
{
    public Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken) => AddAsync(cycle, null, cancellationToken);

    public Task<Cycle> AddForSchoolAsync(Cycle cycle, string schoolCode, CancellationToken cancellationToken) => AddAsync(cycle, schoolCode, cancellationToken);

    private async Task<Cycle> AddAsync(Cycle cycle, string? schoolCode, CancellationToken cancellationToken) =>
        await accounts.FiguresAsync(cycle.Id, schoolCode, cancellationToken) is { } f
            ? cycle with
            {
                Accounts = new JsonObject
                {
                    ["withAccount"] = f.WithAccount,
                    ["noAccount"] = f.NoAccount,
                    ["invalidAccount"] = f.InvalidAccount,
                    ["holderMismatch"] = f.HolderMismatch,
                    ["pendingReview"] = f.PendingReview,
                },
            }
            : cycle;
}
