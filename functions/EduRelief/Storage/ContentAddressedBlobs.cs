using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace EduRelief.Storage;

/// <summary>
/// A private container of immutable, content-addressed blobs named <c>sha256/{hash}</c>: the same bytes are stored
/// once, a stored blob is never overwritten (the upload is conditional on the name being free), and the hash recorded
/// elsewhere proves which bytes were meant. Rosters, notice documents, evidence and payment files all live this way.
/// </summary>
public sealed class ContentAddressedBlobs(BlobContainerClient container)
{
    public static string BlobName(string sha256) => $"sha256/{sha256}";

    public Task CreateAsync(CancellationToken cancellationToken) =>
        container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);

    /// <summary>Stores a file whose SHA-256 the caller computed while spooling it, unless those bytes are stored already.</summary>
    public async Task SaveFileAsync(string path, string sha256, string contentType, CancellationToken cancellationToken)
    {
        // Streamed from disk: a roster may be hundreds of megabytes.
        await using var file = File.OpenRead(path);
        await UploadOnceAsync((blob, options) => blob.UploadAsync(file, options, cancellationToken), sha256, contentType);
    }

    /// <summary>Stores the bytes unless they are stored already; returns their SHA-256.</summary>
    public async Task<string> SaveAsync(byte[] content, string contentType, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        await UploadOnceAsync((blob, options) => blob.UploadAsync(new BinaryData(content), options, cancellationToken), sha256, contentType);
        return sha256;
    }

    public async Task<Stream> OpenAsync(string sha256, CancellationToken cancellationToken) =>
        await container.GetBlobClient(BlobName(sha256)).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);

    private async Task UploadOnceAsync(Func<BlobClient, BlobUploadOptions, Task> upload, string sha256, string contentType)
    {
        try
        {
            await upload(container.GetBlobClient(BlobName(sha256)), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Metadata = new Dictionary<string, string> { ["sha256"] = sha256 },
            });
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Stored before: content addressing makes it the same bytes.
        }
    }
}
