using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace EduRelief.Hosting;

/// <summary>A message said once in both languages; the answer picks one by the request's Accept-Language.</summary>
public sealed record Text(string Zh, string En)
{
    /// <summary>A message that reads the same in both languages (a code, a file's own words, an older call site).</summary>
    public static implicit operator Text(string same) => new(same, same);

    public string In(bool english) => english ? En : Zh;
}

/// <summary>Which language a problem is written in: Chinese unless Accept-Language prefers English over Chinese.</summary>
public static class ProblemLanguage
{
    public static bool PrefersEnglish(string? acceptLanguage)
    {
        if (string.IsNullOrWhiteSpace(acceptLanguage)
            || !StringWithQualityHeaderValue.TryParseList(acceptLanguage.Split(','), out var ranges))
        {
            return false;
        }

        double english = 0, chinese = 0;
        var englishAt = int.MaxValue;
        var chineseAt = int.MaxValue;
        for (var i = 0; i < ranges.Count; i++)
        {
            var tag = ranges[i].Value.Value ?? "";
            var quality = ranges[i].Quality ?? 1;
            var primary = tag.Split('-')[0];
            if (primary.Equals("en", StringComparison.OrdinalIgnoreCase) && quality > english)
            {
                (english, englishAt) = (quality, i);
            }
            else if (primary.Equals("zh", StringComparison.OrdinalIgnoreCase) && quality > chinese)
            {
                (chinese, chineseAt) = (quality, i);
            }
        }

        return english > 0 && (english > chinese || (english == chinese && englishAt < chineseAt));
    }

    public static bool PrefersEnglish(HttpContext context) => PrefersEnglish(context.Request.Headers.AcceptLanguage.ToString());
}

/// <summary>RFC 7807 answers; <c>errors</c> names each field, row or column at fault. Chinese by default, English on request.</summary>
public static class Problems
{
    /// <summary>The extension that carries the English words until <see cref="BilingualProblemWriter"/> picks a language; never sent.</summary>
    internal const string EnglishKey = "__english";

    private static readonly Dictionary<int, Text> Titles = new()
    {
        [StatusCodes.Status400BadRequest] = new("请求有误", "The request is not valid"),
        [StatusCodes.Status401Unauthorized] = new("需要登录", "Authentication required"),
        [StatusCodes.Status403Forbidden] = new("无权操作", "Forbidden"),
        [StatusCodes.Status404NotFound] = new("未找到", "Not found"),
        [StatusCodes.Status409Conflict] = new("当前无法办理", "Conflict"),
        [StatusCodes.Status410Gone] = new("已不存在", "Gone"),
        [StatusCodes.Status413PayloadTooLarge] = new("文件过大", "The file is too large"),
        [StatusCodes.Status415UnsupportedMediaType] = new("不支持的文件类型", "Unsupported media type"),
        [StatusCodes.Status503ServiceUnavailable] = new("存储服务无响应", "Storage does not answer"),
    };

    /// <summary>The fixed title of a status in both languages.</summary>
    public static Text TitleOf(int status) => Titles.TryGetValue(status, out var title) ? title : new("出错了", "Error");

    public static ProblemHttpResult Invalid(string field, Text message) => Invalid(new Dictionary<string, Text[]> { [field] = [message] });

    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) => Invalid(Bilingual(errors)!);

    public static ProblemHttpResult Invalid(IDictionary<string, Text[]> errors) =>
        Create(StatusCodes.Status400BadRequest,
            new(string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}：{m.Zh}"))),
                string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m.En}")))),
            errors);

    /// <summary>404 for <paramref name="what"/> (e.g. <c>new("资助周期 X", "Cycle X")</c>): "…不存在。" / "… does not exist."</summary>
    public static ProblemHttpResult NotFound(Text what) =>
        Create(StatusCodes.Status404NotFound, new($"{what.Zh}不存在。", $"{what.En} does not exist."));

    public static ProblemHttpResult Conflict(Text detail, IDictionary<string, string[]>? errors = null) => Conflict(detail, Bilingual(errors));

    public static ProblemHttpResult Conflict(Text detail, IDictionary<string, Text[]>? errors) =>
        Create(StatusCodes.Status409Conflict, detail, errors);

    public static ProblemHttpResult Forbidden(Text detail) => Create(StatusCodes.Status403Forbidden, detail);

    /// <summary>Any status, with its fixed title (or <paramref name="title"/>), a detail and optional errors in both languages.</summary>
    public static ProblemHttpResult Create(int status, Text? detail, IDictionary<string, Text[]>? errors = null, Text? title = null)
    {
        title ??= TitleOf(status);
        var extensions = new Dictionary<string, object?>
        {
            [EnglishKey] = new English(title.En, detail?.En, errors?.ToDictionary(e => e.Key, e => e.Value.Select(m => m.En).ToArray())),
        };
        if (errors is not null)
        {
            extensions["errors"] = errors.ToDictionary(e => e.Key, e => e.Value.Select(m => m.Zh).ToArray());
        }

        return TypedResults.Problem(title: title.Zh, detail: detail?.Zh, statusCode: status, extensions: extensions);
    }

    private static Dictionary<string, Text[]>? Bilingual(IDictionary<string, string[]>? errors) =>
        errors?.ToDictionary(e => e.Key, e => e.Value.Select(m => (Text)m).ToArray());

    internal sealed record English(string Title, string? Detail, Dictionary<string, string[]>? Errors);
}

/// <summary>
/// Picks the language of every problem answer: the English words a <see cref="Problems"/> answer carries when the
/// request prefers English, else the Chinese ones; the carried words are never sent. Runs as the default writer's
/// customization; as a writer registered after it, it also writes when the request's Accept is not JSON.
/// </summary>
public sealed class BilingualProblemWriter(Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public static void Resolve(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var english = ProblemLanguage.PrefersEnglish(context.HttpContext);
        if (problem.Extensions.Remove(Problems.EnglishKey, out var carried) && carried is Problems.English words && english)
        {
            problem.Title = words.Title;
            problem.Detail = words.Detail;
            if (words.Errors is not null)
            {
                problem.Extensions["errors"] = words.Errors;
            }
        }

        context.HttpContext.Response.Headers.ContentLanguage = english ? "en" : "zh-CN";
    }

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        Resolve(context);
        context.ProblemDetails.Status ??= context.HttpContext.Response.StatusCode;
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
            context.ProblemDetails, json.Value.SerializerOptions, "application/problem+json", context.HttpContext.RequestAborted));
    }
}

/// <summary>Reads a JSON body so that malformed input names the field at fault instead of throwing.</summary>
public static class JsonBody
{
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options)
        where T : class
    {
        if (request.ContentLength == 0)
        {
            return (null, Problems.Invalid("body", new Text("需要 JSON 请求体。", "A JSON body is required.")));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, request.HttpContext.RequestAborted);
            return value is null ? (null, Problems.Invalid("body", new Text("需要一个 JSON 对象。", "A JSON object is required."))) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Problems.Invalid(field, Messages.NotValidJson));
        }
    }
}

/// <summary>Messages said in many places.</summary>
public static class Messages
{
    public static readonly Text NotValidJson = new("不是预期类型的有效 JSON。", "This is not valid JSON of the expected type.");
    public static readonly Text NotOurToken = new("这不是本列表给出的续页令牌。", "This is not a token this list gave out.");
    public static readonly Text ReasonRequired = new("需要填写原因（1 至 500 个字符）。", "A reason of 1 to 500 characters is required.");
    public static readonly Text SchoolCodeFormat = new("schoolCode 是学校的 10 位学校标识码。", "schoolCode is the school's 10-digit 学校标识码.");

    public static Text Cycle(string id) => new($"资助周期 {id}", $"Cycle {id}");

    public static Text County(string code) => new($"县 {code}", $"County {code}");

    public static Text Batch(string batchId, string cycleId) => new($"资助周期 {cycleId} 的发放批次 {batchId}", $"Batch {batchId} of cycle {cycleId}");

    /// <summary>403 for a school officer asking about <paramref name="school"/> (named by <c>SchoolNames</c>), not their own.</summary>
    public static Text OtherSchool(Text school) => new($"您的账号属于其他学校，不能查看或办理{school.Zh}的事务。", $"Your key is for another school than {school.En}.");
}

/// <summary>Paging parameters shared by every list: pageSize 1-1000 (default 100) and an opaque continuation token.</summary>
public static class Paging
{
    public const int Default = 100;
    public const int Max = 1000;

    public static bool TryGetSize(int? pageSize, out int size, out ProblemHttpResult? problem)
    {
        size = pageSize ?? Default;
        problem = size is < 1 or > Max ? Problems.Invalid("pageSize", new Text($"pageSize 为 1 至 {Max}。", $"pageSize is 1 to {Max}.")) : null;
        return problem is null;
    }
}
