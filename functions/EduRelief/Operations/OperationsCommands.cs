using EduRelief.Storage;

namespace EduRelief.Operations;

/// <summary>
/// Operator commands run by the app's own binary instead of the web host:
/// <c>dotnet EduRelief.dll export-cycle --cycle 410726-2026-autumn --out DIR</c> and
/// <c>dotnet EduRelief.dll import-cycle --in DIR [--replace]</c>, against the storage account in <c>AzureWebJobsStorage</c>
/// with <c>EDURELIEF_STORAGE_PREFIX</c> as the app uses them. Exit code 0 on success, 1 when refused, 2 on bad usage.
/// </summary>
public static class OperationsCommands
{
    public const string Export = "export-cycle";
    public const string Import = "import-cycle";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is Export or Import;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = ParseOptions(args.Skip(1).ToArray(), out var usageError);
        if (usageError is not null)
        {
            return Usage(usageError);
        }

        var config = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        // The same two forms as the app: a connection string, or the identity-based service addresses (run where the
        // managed identity is, e.g. in the Function App's console).
        var (connection, storageError) = StorageConnection.Read(config);
        if (connection is null)
        {
            return Usage(storageError ?? "AzureWebJobsStorage (the storage connection string, or its AzureWebJobsStorage__*ServiceUri settings) is not set.");
        }

        var prefix = config["EDURELIEF_STORAGE_PREFIX"] ?? "";
        if (prefix.Length > 0 && !StorageAccount.IsValidPrefix(prefix))
        {
            return Usage("EDURELIEF_STORAGE_PREFIX is lower-case letters and digits, starting with a letter, at most 20 characters.");
        }

        var backup = new CycleBackup(new StorageAccount(connection, prefix, new RequestCounter()), TimeProvider.System);
        BackupResult result;
        if (args[0] == Export)
        {
            if (!options.TryGetValue("--cycle", out var cycle) || !options.TryGetValue("--out", out var output))
            {
                return Usage("export-cycle needs --cycle ID and --out DIR.");
            }

            result = await backup.ExportAsync(cycle, output, cancellationToken);
        }
        else
        {
            if (!options.TryGetValue("--in", out var input))
            {
                return Usage("import-cycle needs --in DIR.");
            }

            result = await backup.ImportAsync(input, options.ContainsKey("--replace"), cancellationToken);
        }

        (result.Ok ? Console.Out : Console.Error).WriteLine(result.Message);
        return result.Ok ? 0 : 1;
    }

    private static Dictionary<string, string> ParseOptions(string[] args, out string? error)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--replace":
                    options["--replace"] = "true";
                    break;
                case "--cycle" or "--out" or "--in" when i + 1 < args.Length:
                    options[args[i]] = args[++i];
                    break;
                default:
                    error = $"Unknown or incomplete option {args[i]}.";
                    return options;
            }
        }

        return options;
    }

    private static int Usage(string error)
    {
        Console.Error.WriteLine(error);
        Console.Error.WriteLine("usage: dotnet EduRelief.dll export-cycle --cycle ID --out DIR | import-cycle --in DIR [--replace]");
        return 2;
    }
}
