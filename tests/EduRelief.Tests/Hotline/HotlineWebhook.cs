using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;

namespace EduRelief.Tests.Hotline;

/// <summary>Posts cases as the county's hotline system does: signed with the shared secret at the app's own clock.</summary>
public static class HotlineWebhook
{
    public const string Secret = HotlineFixture.Secret;

    public static object Case(string externalId, string category, object? subject = null, string receivedAt = "2026-10-09T09:30:00+08:00") => new
    {
        externalId,
        countyCode = "410726",
        receivedAt,
        category,
        callerName = "王女士",
        callerPhone = "13812345678",
        content = "孩子的生活补助还没有到账。",
        subject,
    };

    public static Task<(int Status, JsonNode? Body)> PostAsync(AppProcess app, object body) =>
        PostRawAsync(app, JsonSerializer.SerializeToUtf8Bytes(body));

    /// <summary>Posts the bytes as they are, signed at the app's clock.</summary>
    public static async Task<(int Status, JsonNode? Body)> PostRawAsync(AppProcess app, byte[] bytes)
    {
        var (_, clock) = await app.Admin.GetJsonAsync("/api/dev/clock");
        var timestamp = DateTimeOffset.Parse((string)clock!["now"]!, CultureInfo.InvariantCulture).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + ".").Concat(bytes).ToArray()));
        using var client = app.CreateClient(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hotline/cases") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Hotline-Timestamp", timestamp);
        request.Headers.Add("X-Hotline-Signature", signature);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }
}
