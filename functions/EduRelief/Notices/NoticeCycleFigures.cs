using System.Text.Json.Nodes;
using EduRelief.Cycles;

namespace EduRelief.Notices;

/// <summary>
/// A school officer's view of the notice documents: their own school's (one or none, and its rows), not how many
/// schools and rows the county published. The county's figures live in the cycle's data.
/// </summary>
public sealed class NoticeCycleFigures(NoticeStore store) : ICycleFigures
{
    public Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken) => Task.FromResult(cycle);

    public async Task<Cycle> AddForSchoolAsync(Cycle cycle, string schoolCode, CancellationToken cancellationToken)
    {
        if (cycle.Notice is not JsonObject notice || notice["documents"] is not JsonObject documents)
        {
            return cycle;
        }

        var entry = await store.GetAsync(cycle.Id, schoolCode, cancellationToken);
        var own = entry is not null && entry.RunId == cycle.State.Verification?.RunId;
        var view = (JsonObject)notice.DeepClone();
        var docs = (JsonObject)documents.DeepClone();
        docs["schools"] = own ? 1 : 0;
        docs["rows"] = own ? entry!.Rows : 0;
        view["documents"] = docs;
        return cycle with { Notice = view };
    }
}
