namespace EduRelief.Exports;

/// <summary>
/// A download with personal data (DOMAIN.md "Exports") is kept by no cache on the way (<c>Cache-Control: no-store</c>)
/// and is never sniffed into another type by the browser (<c>X-Content-Type-Options: nosniff</c>).
/// </summary>
public static class PrivateDownloads
{
    public static void SetHeaders(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    /// <summary>Marks the route's every answer, the file and any problem alike, before the handler writes a byte.</summary>
    public static TBuilder WithNoStore<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            SetHeaders(context.HttpContext.Response);
            return await next(context);
        });
}
