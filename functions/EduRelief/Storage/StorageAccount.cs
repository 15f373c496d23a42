using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace EduRelief.Storage;

/// <summary>
/// The one storage account the app and its trigger runner use. Every client shares a pipeline policy that counts
/// requests, so benchmarks can report storage transactions. Names carry an optional prefix so that test runs and
/// benchmarks can share one Azurite without seeing each other's data.
/// </summary>
public sealed class StorageAccount
{
    public StorageAccount(string connectionString, string prefix, RequestCounter counter, IEnumerable<HttpPipelinePolicy>? perCall = null)
        : this(StorageConnection.FromConnectionString(connectionString), prefix, counter, perCall)
    {
    }

    /// <summary>
    /// With an identity-based connection the clients sign in with the user-assigned managed identity (Azure.Identity reads
    /// <c>AZURE_AUTHORITY_HOST</c>, so Azure China works the same); the account then needs no shared key.
    /// <paramref name="perCall"/> are further pipeline policies every client runs once per call, outside its retries
    /// (the SDK's own extension point; the tests' crash after a committed write is one).
    /// </summary>
    public StorageAccount(StorageConnection connection, string prefix, RequestCounter counter, IEnumerable<HttpPipelinePolicy>? perCall = null)
    {
        if (prefix.Length > 0 && !IsValidPrefix(prefix))
        {
            throw new ArgumentException("The storage prefix must be lower-case letters and digits, starting with a letter, at most 20 characters.", nameof(prefix));
        }

        Prefix = prefix;
        Counter = counter;
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(new CountingPolicy(counter, StorageService.Table), HttpPipelinePosition.PerRetry);
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        queueOptions.AddPolicy(new CountingPolicy(counter, StorageService.Queue), HttpPipelinePosition.PerRetry);
        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(new CountingPolicy(counter, StorageService.Blob), HttpPipelinePosition.PerRetry);
        foreach (var policy in perCall ?? [])
        {
            tableOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
            queueOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
            blobOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }

        if (connection.ConnectionString is { } connectionString)
        {
            Tables = new TableServiceClient(connectionString, tableOptions);
            Queues = new QueueServiceClient(connectionString, queueOptions);
            Blobs = new BlobServiceClient(connectionString, blobOptions);
        }
        else
        {
            var credential = new Azure.Identity.ManagedIdentityCredential(
                connection.ClientId is { } clientId ? Azure.Identity.ManagedIdentityId.FromUserAssignedClientId(clientId) : Azure.Identity.ManagedIdentityId.SystemAssigned);
            Tables = new TableServiceClient(connection.TableUri!, credential, tableOptions);
            Queues = new QueueServiceClient(connection.QueueUri!, credential, queueOptions);
            Blobs = new BlobServiceClient(connection.BlobUri!, credential, blobOptions);
        }
    }

    public TableServiceClient Tables { get; }

    /// <summary>Queue clients encode message text as Base64, the Functions host's default messageEncoding.</summary>
    public QueueServiceClient Queues { get; }

    public BlobServiceClient Blobs { get; }

    public string Prefix { get; }

    public RequestCounter Counter { get; }

    /// <summary>Table names allow letters and digits only.</summary>
    public string TableName(string name) => Prefix + name;

    public string QueueName(string name) => Prefix + name;

    public string ContainerName(string name) => Prefix + name;

    public TableClient Table(string name) => Tables.GetTableClient(TableName(name));

    public static bool IsValidPrefix(string prefix) =>
        prefix.Length is > 0 and <= 20 && char.IsAsciiLetterLower(prefix[0]) && prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));
}

public enum StorageService
{
    Table,
    Queue,
    Blob,
}

/// <summary>Counts storage requests (each is one billable transaction) by service.</summary>
public sealed class RequestCounter
{
    private long _table;
    private long _queue;
    private long _blob;

    public long Table => Interlocked.Read(ref _table);

    public long Queue => Interlocked.Read(ref _queue);

    public long Blob => Interlocked.Read(ref _blob);

    public long Total => Table + Queue + Blob;

    public void Add(StorageService service)
    {
        switch (service)
        {
            case StorageService.Table: Interlocked.Increment(ref _table); break;
            case StorageService.Queue: Interlocked.Increment(ref _queue); break;
            default: Interlocked.Increment(ref _blob); break;
        }
    }
}

internal sealed class CountingPolicy(RequestCounter counter, StorageService service) : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) => counter.Add(service);
}
