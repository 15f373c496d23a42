using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Hosting;

/// <summary>RFC 7807 answers; <c>errors</c> names each field, row or column at fault.</summary>
public static class Problems
{
    public static ProblemHttpResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(
            title: "The request is not valid",
            detail: string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))),
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: "Not found", detail: $"{what} does not exist.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, string[]>? errors = null) =>
        TypedResults.Problem(
            title: "Conflict",
            detail: detail,
            statusCode: StatusCodes.Status409Conflict,
            extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);
}

/// <summary>Reads a JSON body so that malformed input names the field at fault instead of throwing.</summary>
public static class JsonBody
{
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options)
        where T : class
    {
        if (request.ContentLength == 0)
        {
            return (null, Problems.Invalid("body", "A JSON body is required."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, request.HttpContext.RequestAborted);
            return value is null ? (null, Problems.Invalid("body", "A JSON object is required.")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Problems.Invalid(field, "This is not valid JSON of the expected type."));
        }
    }
}

/// <summary>Paging parameters shared by every list: pageSize 1-1000 (default 100) and an opaque continuation token.</summary>
public static class Paging
{
    public const int Default = 100;
    public const int Max = 1000;

    public static bool TryGetSize(int? pageSize, out int size, out ProblemHttpResult? problem)
    {
        size = pageSize ?? Default;
        problem = size is < 1 or > Max ? Problems.Invalid("pageSize", $"pageSize is 1 to {Max}.") : null;
        return problem is null;
    }
}
