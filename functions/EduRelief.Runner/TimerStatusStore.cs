using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;

namespace EduRelief.Runner;

/// <summary>
/// Persists each timer's schedule status (blob <c>timers/{FunctionName}/status</c>), as the host's schedule monitor
/// does, so an occurrence missed while the app was down fires once when it comes back.
/// </summary>
internal sealed class TimerStatusStore(BlobContainerClient container, ILogger logger)
{
    public async Task<TimerStatus?> ReadAsync(string functionName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await Blob(functionName).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<TimerStatus>();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException ex)
        {
            logger.LogWarning("{Function}: the stored timer status is unreadable ({Error}); starting afresh.", functionName, ex.Message);
            return null;
        }
    }

    public Task WriteAsync(string functionName, TimerStatus status, CancellationToken cancellationToken) =>
        Blob(functionName).UploadAsync(BinaryData.FromObjectAsJson(status), overwrite: true, cancellationToken);

    private BlobClient Blob(string functionName) => container.GetBlobClient($"timers/{functionName}/status");
}
