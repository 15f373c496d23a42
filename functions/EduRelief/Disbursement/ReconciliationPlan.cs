namespace EduRelief.Disbursement;

/// <summary>What the bank's file says about one batch row, once every row naming the person is weighed.</summary>
public enum PlannedOutcome
{
    Paid,
    Failed,

    /// <summary>The bank said something about the person we cannot take at its word: a person decides.</summary>
    InDoubt,

    /// <summary>No row answers for the item: the bank may have paid it all the same, so it is in doubt too.</summary>
    NotReturned,
}

/// <summary>
/// One item's decision. <paramref name="Why"/> (for in doubt and not returned) is the exception kind that caused it;
/// <paramref name="BankReason"/> is the bank's text of a failure, as the bank wrote it.
/// </summary>
public sealed record ItemDecision(BatchItem Item, PlannedOutcome Outcome, string? Why, string? BankReason)
{
    /// <summary>The item's status for this batch once the decision is applied: <c>paid</c>, <c>failed</c> or <c>inDoubt</c>.</summary>
    public string Status => Outcome switch
    {
        PlannedOutcome.Paid => EntitlementStatuses.Paid,
        PlannedOutcome.Failed => EntitlementStatuses.Failed,
        _ => EntitlementStatuses.InDoubt,
    };
}

/// <summary>
/// A row of the file (or, for <c>notReturned</c>, an item) that needs a person's eye. <paramref name="Item"/> is the
/// batch row the exception is about (the person it names), null for a row naming nobody of the batch.
/// </summary>
public sealed record PlannedException(string Kind, BankResultRow? Row, BatchItem? Item)
{
    /// <summary>Stable across uploads of the same file: by file row, or by sequence for an item no row answers for.</summary>
    public string Key => Row is null ? $"{Kind}|s{Item!.Sequence:D7}" : $"{Kind}|r{Row.FileRow:D7}";
}

public sealed record ReconciliationDecision(IReadOnlyList<ItemDecision> Items, IReadOnlyList<PlannedException> Exceptions);

/// <summary>
/// Decides a whole batch from the bank's whole file before anything is written (DOMAIN "Bank results"). A row answers
/// for an item when it carries the item's ID number and sequence. A row naming nobody of the batch, or a batch person
/// under another sequence, is a stray: it applies nothing, and a stray naming a batch person puts that person in doubt.
/// Identical rows are one answer (the repeats are <c>duplicateRow</c>); two different answers (success and failure, or
/// two amounts) put the item in doubt (<c>contradictoryRows</c>), as does one answer with another amount than the
/// batch's (<c>amountDiffers</c>) and no answer at all (<c>notReturned</c>). Only one clean answer pays or fails.
/// </summary>
public static class ReconciliationPlan
{
    public static ReconciliationDecision Decide(IReadOnlyList<BatchItem> items, IReadOnlyList<BankResultRow> rows)
    {
        var byId = items.ToDictionary(i => i.IdNumber.Value, StringComparer.Ordinal);
        var exceptions = new List<PlannedException>();
        var answers = items.ToDictionary(i => i.Sequence, _ => new List<BankResultRow>());
        var stray = new HashSet<int>();
        foreach (var row in rows.OrderBy(r => r.FileRow))
        {
            if (!byId.TryGetValue(row.IdNumber, out var person))
            {
                exceptions.Add(new PlannedException(ReconciliationKinds.NotInBatch, row, null));
            }
            else if (row.Sequence != person.Sequence)
            {
                exceptions.Add(new PlannedException(ReconciliationKinds.IdMismatch, row, person));
                stray.Add(person.Sequence);
            }
            else
            {
                answers[person.Sequence].Add(row);
            }
        }

        var decisions = new List<ItemDecision>();
        foreach (var item in items)
        {
            var distinct = new List<BankResultRow>();
            foreach (var row in answers[item.Sequence])
            {
                if (distinct.Any(d => d.Success == row.Success && d.Amount == row.Amount))
                {
                    exceptions.Add(new PlannedException(ReconciliationKinds.DuplicateRow, row, item));
                }
                else
                {
                    distinct.Add(row);
                }
            }

            ItemDecision Doubt(string why) => new(item, PlannedOutcome.InDoubt, why, null);
            if (distinct.Count == 0)
            {
                exceptions.Add(new PlannedException(ReconciliationKinds.NotReturned, null, item));
                decisions.Add(new ItemDecision(item, PlannedOutcome.NotReturned, stray.Contains(item.Sequence) ? ReconciliationKinds.IdMismatch : ReconciliationKinds.NotReturned, null));
            }
            else if (distinct.Count > 1)
            {
                exceptions.AddRange(distinct.Select(r => new PlannedException(ReconciliationKinds.ContradictoryRows, r, item)));
                decisions.Add(Doubt(ReconciliationKinds.ContradictoryRows));
            }
            else if (distinct[0].Amount != item.Amount)
            {
                exceptions.Add(new PlannedException(ReconciliationKinds.AmountDiffers, distinct[0], item));
                decisions.Add(Doubt(ReconciliationKinds.AmountDiffers));
            }
            else if (stray.Contains(item.Sequence))
            {
                decisions.Add(Doubt(ReconciliationKinds.IdMismatch));
            }
            else
            {
                decisions.Add(new ItemDecision(item, distinct[0].Success ? PlannedOutcome.Paid : PlannedOutcome.Failed, null, distinct[0].Success ? null : distinct[0].Reason ?? "失败"));
            }
        }

        return new ReconciliationDecision(decisions, exceptions);
    }
}
