using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EduRelief.Tests.Hosting;

/// <summary>
/// One in-memory Azurite per test run, on free ports, started from the repo's pinned npm package and killed when the
/// test process exits. Tests isolate themselves with a unique table/queue/container prefix.
/// </summary>
public sealed class Azurite
{
    private static readonly Lazy<Task<Azurite>> Instance = new(StartAsync);

    private Azurite(Process process, int blob, int queue, int table)
    {
        Process = process;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    public Process Process { get; }

    public string ConnectionString { get; }

    public static Task<Azurite> SharedAsync() => Instance.Value;

    private static async Task<Azurite> StartAsync()
    {
        var entry = Path.Combine(Repo.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"Azurite is not installed ({entry}); run npm ci (test.sh does).");
        }

        for (var attempt = 0; ; attempt++)
        {
            var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
            var info = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                entry, "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry",
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                "--blobPort", blob.ToString(), "--queuePort", queue.ToString(), "--tablePort", table.ToString(),
            })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
            };

            if (await WaitForPortsAsync(process, [blob, queue, table], TimeSpan.FromSeconds(30)))
            {
                return new Azurite(process, blob, queue, table);
            }

            process.Kill(entireProcessTree: true);
            if (attempt >= 2)
            {
                throw new InvalidOperationException("Azurite did not start on free ports in three attempts.");
            }
        }
    }

    private static async Task<bool> WaitForPortsAsync(Process process, int[] ports, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            var open = 0;
            foreach (var port in ports)
            {
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    open++;
                }
                catch (SocketException)
                {
                    break;
                }
            }

            if (open == ports.Length)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
