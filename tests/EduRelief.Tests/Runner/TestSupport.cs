using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;

namespace EduRelief.Tests.Runner;

/// <summary>A scratch folder deleted after the test, for writing host.json and function.json layouts.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edurelief-runner-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A host environment by name, for settings that differ between Development and Production.</summary>
internal sealed class TestEnvironment(string name) : Microsoft.Extensions.Hosting.IHostEnvironment
{
    public string EnvironmentName { get; set; } = name;

    public string ApplicationName { get; set; } = "EduRelief";

    public string ContentRootPath { get; set; } = "/";

    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
}

internal static class TestConfig
{
    public static IConfiguration From(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    /// <summary>The repository root, found from this source file so it works wherever the tests are built.</summary>
    public static string RepoRoot([CallerFilePath] string sourceFile = "") =>
        EduRelief.Runner.FunctionsRootLocator.Find(System.IO.Path.GetDirectoryName(sourceFile)!)
        ?? throw new InvalidOperationException("host.json not found above the test sources.");
}
