using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace EduRelief.Runner;

/// <summary>
/// What the runner needs of the app's storage account: its queue clients (Base64, as the host's default) and blob
/// clients, whose requests the app counts with its own; container names under the app's prefix; and the same counting
/// for a queue client of another connection that the runner builds itself.
/// </summary>
public interface IRunnerStorage
{
    QueueServiceClient Queues { get; }

    BlobServiceClient Blobs { get; }

    string ContainerName(string name);

    void CountRequests(QueueClientOptions options);
}
