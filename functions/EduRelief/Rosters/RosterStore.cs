using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using EduRelief.Storage;

namespace EduRelief.Rosters;

/// <summary>
/// Imported files as immutable, content-addressed blobs (<c>sha256/{hash}</c>): the same bytes are stored once, a
/// stored file is never overwritten, and the hash recorded on the cycle proves what was imported.
/// </summary>
public sealed class RosterStore(StorageAccount storage)
{
    public const long MaxFileBytes = 256L * 1024 * 1024;

    private readonly ContentAddressedBlobs _blobs = new(storage.Blobs.GetBlobContainerClient(storage.ContainerName("rosters")));

    public Task CreateContainerAsync(CancellationToken cancellationToken) => _blobs.CreateAsync(cancellationToken);

    public static string BlobName(string sha256) => ContentAddressedBlobs.BlobName(sha256);

    /// <summary>Stores the file unless the same content is stored already.</summary>
    public Task SaveAsync(string path, string sha256, string contentType, CancellationToken cancellationToken) =>
        _blobs.SaveFileAsync(path, sha256, contentType, cancellationToken);

    public Task<Stream> OpenAsync(string sha256, CancellationToken cancellationToken) => _blobs.OpenAsync(sha256, cancellationToken);
}

/// <summary>A request body spooled to a temporary file while its SHA-256 and size are computed.</summary>
public sealed class SpooledFile : IAsyncDisposable
{
    private SpooledFile(string path, string sha256, long size)
    {
        Path = path;
        Sha256 = sha256;
        Size = size;
    }

    public string Path { get; }

    public string Sha256 { get; }

    public long Size { get; }

    /// <summary>Copies the stream to a temporary file; null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<SpooledFile?> CreateAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        File.Delete(path);
                        return null;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            return new SpooledFile(path, Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public Stream OpenRead() => new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

    public ValueTask DisposeAsync()
    {
        File.Delete(Path);
        return ValueTask.CompletedTask;
    }
}
