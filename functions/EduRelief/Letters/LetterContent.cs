using EduRelief.Accounts;
using EduRelief.Eligibility;
using EduRelief.Notices;
using EduRelief.Rosters;

namespace EduRelief.Letters;

/// <summary>One programme a child receives this semester, with its amount from the ledger.</summary>
public sealed record LetterLine(string Program, Yuan Amount);

/// <summary>
/// One child's 告知书: the child by name and registry id (<see cref="Children.ChildIds"/>, what the school records the
/// delivery by), school, stage and grade, the programmes and amounts, and the account the money goes to, masked. No ID
/// number, birth date, household category or full account number: <see cref="LetterContent.Create"/> drops them.
/// </summary>
public sealed record Letter(string ChildId, string Name, string Stage, int Grade, bool Boarding, IReadOnlyList<LetterLine> Lines, string? MaskedAccount, string? Bank)
{
    public Yuan Total => Lines.Sum(l => l.Amount);
}

/// <summary>
/// What every letter of a cycle shares: county, semester, when the money is paid (after the notice period), and how to
/// ask or object (the county's contacts).
/// </summary>
public sealed record LetterHeading(string CountyName, string SemesterTitle, DateOnly NoticeEnds, string BureauName, string HotlinePhone, string ObjectionAddress);

/// <summary>A school's letters, one per eligible child with an entitlement, in the notice's order (stage, grade, name).</summary>
public sealed record SchoolLetters(string SchoolCode, string SchoolName, LetterHeading Heading, IReadOnlyList<Letter> Letters)
{
    public string Title => $"{Heading.CountyName}{Heading.SemesterTitle}享受教育资助政策情况告知书 — {SchoolName}";

    /// <summary>
    /// The letters of one school from its ledger rows of the approved run: one per child (the rows of one ID number),
    /// its programmes in code order, its account from <paramref name="accounts"/> (by person key; only usable accounts
    /// are there) masked as the accounts show it everywhere, and its id from <paramref name="childId"/>.
    /// </summary>
    public static SchoolLetters Create(LetterHeading heading, string schoolCode, IReadOnlyList<LedgerRow> rows, IReadOnlyDictionary<string, PayableAccount> accounts, Func<IdNumber, string> childId)
    {
        var letters = rows
            .GroupBy(r => r.IdNumber.PersonKey, StringComparer.Ordinal)
            .Select(child =>
            {
                var first = child.OrderBy(r => r.Id, StringComparer.Ordinal).First();
                var account = accounts.GetValueOrDefault(child.Key);
                var lines = child
                    .Where(r => r.Amount > Yuan.Zero)
                    .OrderBy(r => r.Program, StringComparer.Ordinal)
                    .Select(r => new LetterLine(NoticeContent.ProgramName(r.Program), r.Amount.ToFenExact()))
                    .ToList();
                return new Letter(childId(first.IdNumber), first.Name, first.Stage, first.Grade, first.Boarding, lines, account is null ? null : AccountRules.Mask(account.Number), account?.Bank);
            })
            .OrderBy(l => SchoolStages.TryParse(l.Stage, out var stage) ? (int)stage : int.MaxValue)
            .ThenBy(l => l.Grade)
            .ThenBy(l => l.Name, StringComparer.Ordinal)
            .ThenBy(l => l.ChildId, StringComparer.Ordinal)
            .ToList();
        var schoolName = rows.Select(r => r.SchoolName).Where(n => n.Length > 0).Order(StringComparer.Ordinal).FirstOrDefault() ?? schoolCode;
        return new SchoolLetters(schoolCode, schoolName, heading, letters);
    }
}
