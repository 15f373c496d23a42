using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

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
