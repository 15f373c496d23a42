using System.Collections.Concurrent;
using Azure.Storage.Queues;

namespace EduRelief.Runner;

/// <summary>
/// Queue clients with the encoding host.json asks for. Base64 (the default, and what the app writes) uses the app's
/// own storage account so requests are counted with everything else. The account's clients always Base64-decode, so
/// messageEncoding "none" needs its own client, built from the binding's connection setting as the host would.
/// </summary>
internal sealed class QueueClients(IRunnerStorage storage, IConfiguration configuration)
{
    private readonly ConcurrentDictionary<string, QueueServiceClient> _plain = new(StringComparer.Ordinal);

    public QueueClient Get(string queueName, string connection, QueueMessageEncodingMode encoding) => encoding switch
    {
        QueueMessageEncodingMode.Base64 => storage.Queues.GetQueueClient(queueName),
        _ => _plain.GetOrAdd(connection, CreatePlain).GetQueueClient(queueName),
    };

    private QueueServiceClient CreatePlain(string connection)
    {
        var connectionString = SettingResolver.Lookup(configuration, connection)
            ?? configuration.GetConnectionString(connection)
            ?? SettingResolver.Lookup(configuration, "AzureWebJobs" + connection)
            ?? throw new FunctionConfigurationException(
                $"messageEncoding \"none\" needs the storage connection string setting '{connection}', which is not set.");
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        storage.CountRequests(options);
        return new QueueServiceClient(connectionString, options);
    }
}
