namespace EduRelief.Storage;

/// <summary>
/// How the app reaches its storage account, in the two forms the Functions host itself understands: a connection
/// string in <c>AzureWebJobsStorage</c> (Azurite, and deployments that keep shared keys), or the identity-based
/// <c>AzureWebJobsStorage__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c> with
/// <c>__credential=managedidentity</c> and the user-assigned identity's <c>__clientId</c>, so the account needs no key.
/// </summary>
public sealed record StorageConnection(string? ConnectionString, Uri? BlobUri, Uri? QueueUri, Uri? TableUri, string? ClientId)
{
    public const string Setting = "AzureWebJobsStorage";

    public bool UsesIdentity => ConnectionString is null;

    public static StorageConnection FromConnectionString(string connectionString) => new(connectionString, null, null, null, null);

    /// <summary>The connection the configuration names; null with the reason when it names none or names it wrongly.</summary>
    public static (StorageConnection? Connection, string? Error) Read(IConfiguration config)
    {
        if (config[Setting] is { Length: > 0 } connectionString && !string.IsNullOrWhiteSpace(connectionString))
        {
            return (FromConnectionString(connectionString), null);
        }

        var blob = config[$"{Setting}__blobServiceUri"];
        var queue = config[$"{Setting}__queueServiceUri"];
        var table = config[$"{Setting}__tableServiceUri"];
        if (blob is null && queue is null && table is null)
        {
            return (null, null);
        }

        if (!IsHttps(blob, out var blobUri) || !IsHttps(queue, out var queueUri) || !IsHttps(table, out var tableUri))
        {
            return (null, $"{Setting}__blobServiceUri, __queueServiceUri and __tableServiceUri are each an https:// service address.");
        }

        if (config[$"{Setting}__credential"] is { } credential && !string.Equals(credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"{Setting}__credential is managedidentity (the only identity the app signs in with).");
        }

        var clientId = config[$"{Setting}__clientId"];
        return (new StorageConnection(null, blobUri, queueUri, tableUri, string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim()), null);
    }

    private static bool IsHttps(string? text, out Uri? uri)
    {
        uri = null;
        return Uri.TryCreate(text, UriKind.Absolute, out uri) && uri.Scheme == Uri.UriSchemeHttps;
    }
}
