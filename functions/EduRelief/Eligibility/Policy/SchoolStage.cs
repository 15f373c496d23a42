using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using EduRelief.Hosting;

namespace EduRelief.Eligibility;

/// <summary>学段: the school stage as the student registry spells it. In JSON it is the Chinese name (学前, 小学 …).</summary>
[JsonConverter(typeof(SchoolStageJsonConverter))]
public enum SchoolStage
{
    Preschool,
    Primary,
    JuniorSecondary,
    SeniorSecondary,
    VocationalSecondary,
    Higher,
}

public static class SchoolStages
{
    private static readonly (SchoolStage Stage, string Chinese, int MaxGrade)[] Table =
    [
        (SchoolStage.Preschool, "学前", 3),
        (SchoolStage.Primary, "小学", 6),
        (SchoolStage.JuniorSecondary, "初中", 3),
        (SchoolStage.SeniorSecondary, "普通高中", 3),
        (SchoolStage.VocationalSecondary, "中职", 3),
        (SchoolStage.Higher, "高校", 5),
    ];

    public static IReadOnlyList<SchoolStage> All { get; } = Table.Select(t => t.Stage).ToArray();

    /// <summary>Exact match of the roster's Chinese name; the caller trims.</summary>
    public static bool TryParse([NotNullWhen(true)] string? chinese, out SchoolStage stage)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Chinese, chinese, StringComparison.Ordinal))
            {
                stage = row.Stage;
                return true;
            }
        }

        stage = default;
        return false;
    }

    public static string Chinese(SchoolStage s) => Row(s).Chinese;

    /// <summary>The highest 年级 of the stage; grades are 1-based.</summary>
    public static int MaxGrade(SchoolStage s) => Row(s).MaxGrade;

    /// <summary>
    /// A roster's 学段 and 年级 cells (trimmed here), or the column that cannot be read and why: 学段 one of the six
    /// names, 年级 a whole number from 1 to the stage's highest grade.
    /// </summary>
    public static (SchoolStage Stage, int Grade, string? Column, Text? Reason) ReadStageAndGrade(string stageCell, string gradeCell)
    {
        if (!TryParse(stageCell.Trim(), out var stage))
        {
            return (default, 0, "学段", new Text($"无法识别的学段“{stageCell}”", $"unknown school stage '{stageCell}'"));
        }

        var gradeText = gradeCell.Trim();
        if (!int.TryParse(gradeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var grade)
            || grade < 1 || grade > MaxGrade(stage))
        {
            return (stage, 0, "年级", new Text($"年级“{gradeText}”不在{Chinese(stage)}的 1 至 {MaxGrade(stage)} 年级之内", $"grade '{gradeText}' is not 1 to {MaxGrade(stage)} for {Chinese(stage)}"));
        }

        return (stage, grade, null, null);
    }

    private static (SchoolStage Stage, string Chinese, int MaxGrade) Row(SchoolStage s) =>
        Array.FindIndex(Table, t => t.Stage == s) is >= 0 and var i ? Table[i] : throw new ArgumentOutOfRangeException(nameof(s), s, "Not a school stage.");
}

public sealed class SchoolStageJsonConverter : JsonConverter<SchoolStage>
{
    public override SchoolStage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && SchoolStages.TryParse(reader.GetString(), out var stage)
            ? stage
            : throw new JsonException($"A school stage is one of {string.Join(", ", SchoolStages.All.Select(SchoolStages.Chinese))}.");

    public override void Write(Utf8JsonWriter writer, SchoolStage value, JsonSerializerOptions options) =>
        writer.WriteStringValue(SchoolStages.Chinese(value));
}
