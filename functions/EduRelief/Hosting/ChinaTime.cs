using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EduRelief.Hosting;

/// <summary>China Standard Time (Asia/Shanghai, UTC+8, no daylight saving since 1991).</summary>
public static class ChinaTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static DateTimeOffset ToChina(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone);

    /// <summary>ISO 8601 with whole seconds and the +08:00 offset, as people read it.</summary>
    public static string Format(DateTimeOffset value) =>
        ToChina(value).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());

    /// <summary>The China date of an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset value) => DateOnly.FromDateTime(ToChina(value).DateTime);
}

/// <summary>Writes every DateTimeOffset in China time with whole seconds; reads any ISO 8601 offset.</summary>
public sealed class ChinaTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ChinaTime.Format(value));
}
