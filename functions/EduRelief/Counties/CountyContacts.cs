using System.Net.Mail;
using System.Text.Json;
using Azure.Data.Tables;
using EduRelief.Auth;
using EduRelief.Hosting;
using EduRelief.Storage;

namespace EduRelief.Counties;

/// <summary>
/// How the public reaches a county bureau and where its mail goes: the hotline number and the address printed on every
/// notice (how to object), the bureau's own mailbox (escalations, warnings), and the mailboxes of its sections and
/// schools (reminder digests for the cases and items assigned to them).
/// </summary>
public sealed record CountyContacts(
    string CountyCode,
    string BureauName,
    string HotlinePhone,
    string ObjectionAddress,
    string BureauEmail,
    IReadOnlyDictionary<string, string> Sections,
    IReadOnlyDictionary<string, string> Schools,
    DateTimeOffset UpdatedAt,
    string UpdatedBy)
{
    /// <summary>The townships' people of the 七长制 chain (DOMAIN "控辍保学 cases"), by township name as the registry spells it.</summary>
    public IReadOnlyDictionary<string, TownshipContacts> Townships { get; init; } = new Dictionary<string, TownshipContacts>();

    /// <summary>Each school's principal (校长), by 学校标识码.</summary>
    public IReadOnlyDictionary<string, string> Principals { get; init; } = new Dictionary<string, string>();

    /// <summary>The mailbox of an assignee (<c>school:4107260001</c>, <c>section:资助股</c> or <c>township:城关镇</c>); the bureau's when none is listed.</summary>
    public string EmailFor(string? assignee) =>
        Assignees.TownshipOf(assignee) is { } township ? Townships.GetValueOrDefault(township)?.Email ?? BureauEmail
        : Assignees.TryParse(assignee, out var kind, out var key) ? (kind == Assignees.School ? Schools.GetValueOrDefault(key) : Sections.GetValueOrDefault(key)) ?? BureauEmail
        : BureauEmail;
}

public sealed record CountyContactsInput(
    string? BureauName,
    string? HotlinePhone,
    string? ObjectionAddress,
    string? BureauEmail,
    Dictionary<string, string>? Sections,
    Dictionary<string, string>? Schools,
    Dictionary<string, TownshipContacts>? Townships = null,
    Dictionary<string, string>? Principals = null);

/// <summary>
/// A township's people: its head (乡镇长), its central school's principal (中心校校长), the township's mailbox (the
/// township's reminders and reports) and, by village name as the registry spells it, each village's head (村委会主任).
/// </summary>
public sealed record TownshipContacts(string? Head, string? CentralSchoolPrincipal, string? Email, Dictionary<string, string>? Villages);

/// <summary>Who a case or item is assigned to: a school (<c>school:{10-digit code}</c>) or a bureau section (<c>section:{name}</c>).</summary>
public static class Assignees
{
    public const string School = "school";
    public const string Section = "section";

    /// <summary>
    /// A township (乡镇), by name as the registry spells it: its mailbox in the contacts' 七长制 townships. Only reminders
    /// address a township (控辍保学 weekly check); no case or item is assigned to one.
    /// </summary>
    public const string Township = "township";

    /// <summary>The bureau's student-aid section: it owns follow-ups whose school is unknown, and the bank reconciliation.</summary>
    public const string AidSection = "资助股";

    /// <summary>The school when its code is valid, else the bureau's aid section.</summary>
    public static string SchoolOrAidSection(string? schoolCode) =>
        schoolCode is not null && SchoolCode.IsValid(schoolCode) ? ForSchool(schoolCode) : ForSection(AidSection);

    public static string ForSchool(string schoolCode) => $"{School}:{schoolCode}";

    public static string ForSection(string name) => $"{Section}:{name}";

    public static string ForTownship(string name) => $"{Township}:{name}";

    /// <summary>The township an assignee names (<c>township:城关镇</c>), or null.</summary>
    public static string? TownshipOf(string? assignee) =>
        assignee is not null && assignee.StartsWith(Township + ":", StringComparison.Ordinal) && assignee.Length > Township.Length + 1 ? assignee[(Township.Length + 1)..] : null;

    public static bool TryParse(string? assignee, out string kind, out string key)
    {
        kind = key = "";
        var colon = assignee?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || colon == assignee!.Length - 1)
        {
            return false;
        }

        kind = assignee[..colon];
        key = assignee[(colon + 1)..];
        return kind == School ? SchoolCode.IsValid(key) : kind == Section && key.Trim().Length == key.Length && key.Length <= 50;
    }
}

/// <summary>One row per county in table <c>counties</c> (PartitionKey "contacts", RowKey the county code).</summary>
public sealed class CountyContactsStore(StorageAccount storage, TimeProvider clock) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("counties", CycleRowScope.CountyContacts)];

    private const string Partition = "contacts";
    private readonly TableClient _table = storage.Table("counties");

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<CountyContacts?> GetAsync(string countyCode, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, countyCode, cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value is not { } e)
        {
            return null;
        }

        return new CountyContacts(
            countyCode,
            e.GetString("BureauName") ?? "",
            e.GetString("HotlinePhone") ?? "",
            e.GetString("ObjectionAddress") ?? "",
            e.GetString("BureauEmail") ?? "",
            JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("Sections") ?? "{}") ?? [],
            JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("Schools") ?? "{}") ?? [],
            e.GetDateTimeOffset("UpdatedAt") ?? default,
            e.GetString("UpdatedBy") ?? "")
        {
            Townships = JsonSerializer.Deserialize<Dictionary<string, TownshipContacts>>(e.GetString("Townships") ?? "{}") ?? [],
            Principals = JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("Principals") ?? "{}") ?? [],
        };
    }

    public async Task<CountyContacts> PutAsync(string countyCode, CountyContactsInput input, string actor, CancellationToken cancellationToken)
    {
        var contacts = new CountyContacts(
            countyCode, input.BureauName!.Trim(), input.HotlinePhone!.Trim(), input.ObjectionAddress!.Trim(), input.BureauEmail!.Trim(),
            input.Sections ?? [], input.Schools ?? [], clock.GetUtcNow(), actor)
        {
            Townships = (input.Townships ?? []).ToDictionary(t => t.Key, t => Trimmed(t.Value)),
            Principals = (input.Principals ?? []).ToDictionary(p => p.Key, p => p.Value?.Trim() ?? ""),
        };
        await _table.UpsertEntityAsync(
            new TableEntity(Partition, countyCode)
            {
                ["BureauName"] = contacts.BureauName,
                ["HotlinePhone"] = contacts.HotlinePhone,
                ["ObjectionAddress"] = contacts.ObjectionAddress,
                ["BureauEmail"] = contacts.BureauEmail,
                ["Sections"] = JsonSerializer.Serialize(contacts.Sections),
                ["Schools"] = JsonSerializer.Serialize(contacts.Schools),
                ["Townships"] = JsonSerializer.Serialize(contacts.Townships, Stored),
                ["Principals"] = JsonSerializer.Serialize(contacts.Principals, Stored),
                ["UpdatedAt"] = contacts.UpdatedAt,
                ["UpdatedBy"] = actor,
            },
            TableUpdateMode.Replace,
            cancellationToken);
        return contacts;
    }

    /// <summary>Field errors of a contacts document; empty when it can be stored.</summary>
    public static Dictionary<string, Text[]> Validate(CountyContactsInput input)
    {
        var errors = new Dictionary<string, Text[]>();
        Require(input.BureauName, "bureauName", 100, errors);
        Require(input.HotlinePhone, "hotlinePhone", 40, errors);
        Require(input.ObjectionAddress, "objectionAddress", 200, errors);
        if (Require(input.BureauEmail, "bureauEmail", 254, errors) && !IsEmail(input.BureauEmail!))
        {
            errors["bureauEmail"] = [new Text("bureauEmail 须为电子邮箱地址。", "bureauEmail is an email address.")];
        }

        foreach (var (name, email) in input.Sections ?? [])
        {
            if (!Assignees.TryParse(Assignees.ForSection(name), out _, out _))
            {
                errors[$"sections.{name}"] = [new Text("股室名称为 1 至 50 个字符，首尾不得有空格。", "A section name is 1 to 50 characters without surrounding spaces.")];
            }
            else if (!IsEmail(email))
            {
                errors[$"sections.{name}"] = [IsNoEmail];
            }
        }

        foreach (var (code, email) in input.Schools ?? [])
        {
            if (!SchoolCode.IsValid(code))
            {
                errors[$"schools.{code}"] = [new Text("学校须以 10 位学校标识码为键。", "A school is keyed by its 10-digit school code.")];
            }
            else if (!IsEmail(email))
            {
                errors[$"schools.{code}"] = [IsNoEmail];
            }
        }

        ValidateChain(input, errors);
        return errors;
    }

    /// <summary>The 七长制 people: every name 1 to 50 characters (blank: not yet named), a township's mailbox an address.</summary>
    private static void ValidateChain(CountyContactsInput input, Dictionary<string, Text[]> errors)
    {
        foreach (var (township, people) in input.Townships ?? [])
        {
            var at = $"townships.{township}";
            if (!IsPlaceName(township) || people is null)
            {
                errors[at] = [people is null ? new Text("每个乡镇须为对象：{\"head\", \"centralSchoolPrincipal\", \"email\", \"villages\"}。", "Each township is an object: {\"head\", \"centralSchoolPrincipal\", \"email\", \"villages\"}.") : PlaceNameRule];
                continue;
            }

            CheckPersonName(people.Head, $"{at}.head", errors);
            CheckPersonName(people.CentralSchoolPrincipal, $"{at}.centralSchoolPrincipal", errors);
            if (people.Email is { Length: > 0 } email && !IsEmail(email))
            {
                errors[$"{at}.email"] = [IsNoEmail];
            }

            foreach (var (village, head) in people.Villages ?? [])
            {
                if (!IsPlaceName(village))
                {
                    errors[$"{at}.villages.{village}"] = [PlaceNameRule];
                }
                else
                {
                    CheckPersonName(head, $"{at}.villages.{village}", errors);
                }
            }
        }

        foreach (var (field, value) in new (string, object?)[] { ("townships", input.Townships), ("principals", input.Principals) })
        {
            if (value is not null && JsonSerializer.Serialize(value, Stored).Length > MaxStoredChars)
            {
                errors[field] = [new Text($"{field} 过长（超过 {MaxStoredChars} 个字符），请精简。", $"{field} is too long (over {MaxStoredChars} characters).")];
            }
        }

        foreach (var (code, principal) in input.Principals ?? [])
        {
            if (!SchoolCode.IsValid(code))
            {
                errors[$"principals.{code}"] = [new Text("学校须以 10 位学校标识码为键。", "A school is keyed by its 10-digit school code.")];
            }
            else
            {
                CheckPersonName(principal, $"principals.{code}", errors);
            }
        }
    }

    /// <summary>Chinese as itself, not as \uXXXX (six characters each), so a county's chain fits a table property.</summary>
    private static readonly JsonSerializerOptions Stored = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What one table property holds (64 KiB, UTF-16): the townships or the principals must fit it.</summary>
    private const int MaxStoredChars = 30_000;

    private static readonly Text PlaceNameRule = new("乡镇、村名称为 1 至 50 个字符，首尾不得有空格，须与建档立卡名册一致。", "A township or village name is 1 to 50 characters without surrounding spaces, as the poverty registry spells it.");

    private static bool IsPlaceName(string name) => name.Length is > 0 and <= 50 && name.Trim().Length == name.Length;

    private static void CheckPersonName(string? name, string field, Dictionary<string, Text[]> errors)
    {
        if (name is not null && name.Trim().Length > 50)
        {
            errors[field] = [new Text("姓名最多 50 个字符。", "A name is at most 50 characters.")];
        }
    }

    private static TownshipContacts Trimmed(TownshipContacts t) => new(
        Blank(t.Head), Blank(t.CentralSchoolPrincipal), Blank(t.Email),
        (t.Villages ?? []).Where(v => !string.IsNullOrWhiteSpace(v.Value)).ToDictionary(v => v.Key, v => v.Value.Trim()));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static readonly Text IsNoEmail = new("此项须为电子邮箱地址。", "The value is an email address.");

    private static bool Require(string? value, string field, int max, Dictionary<string, Text[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [new Text($"{field} 为必填项。", $"{field} is required.")];
            return false;
        }

        if (value.Trim().Length > max)
        {
            errors[field] = [new Text($"{field} 最多 {max} 个字符。", $"{field} is at most {max} characters.")];
            return false;
        }

        return true;
    }

    private static bool IsEmail(string? value) =>
        value is not null && value.Length <= 254 && MailAddress.TryCreate(value.Trim(), out var address) && address.Address == value.Trim() && value.Contains('.', StringComparison.Ordinal);
}
