using System.Security.Cryptography;
using EduRelief.Eligibility;
using EduRelief.Storage;

namespace EduRelief.Hosting;

/// <summary>
/// The app's settings, read once at start and validated there: a misconfigured production app must not start.
/// </summary>
public sealed record AppSettings(
    StorageConnection Storage,
    string StoragePrefix,
    string? AdminKey,
    bool DevClock,
    bool LocalRunner,
    string? FunctionsRoot,
    string? InvocationToken,
    TimeSpan RunnerMessageLease)
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public static AppSettings Read(IConfiguration config, IHostEnvironment environment)
    {
        var development = environment.IsDevelopment();
        var errors = new List<string>();
        var (storage, storageError) = StorageConnection.Read(config);
        if (storageError is not null)
        {
            errors.Add(storageError);
        }
        else if (storage is null && !development)
        {
            errors.Add("AzureWebJobsStorage (the storage connection, or its identity-based AzureWebJobsStorage__*ServiceUri settings) is not configured.");
        }

        storage ??= StorageConnection.FromConnectionString(DevelopmentStorage);

        var adminKey = config["EDURELIEF_ADMIN_KEY"];
        if (string.IsNullOrWhiteSpace(adminKey))
        {
            adminKey = null;
            if (!development)
            {
                errors.Add("EDURELIEF_ADMIN_KEY (the bootstrap administrator key) is not configured.");
            }
        }
        else if (adminKey.Length < 16)
        {
            errors.Add("EDURELIEF_ADMIN_KEY must be at least 16 characters.");
        }

        var devClock = Flag(config, "EDURELIEF_DEV_CLOCK");
        if (!development && devClock)
        {
            errors.Add("EDURELIEF_DEV_CLOCK is refused outside Development.");
        }

        var prefix = config["EDURELIEF_STORAGE_PREFIX"] ?? "";
        if (prefix.Length > 0 && !StorageAccount.IsValidPrefix(prefix))
        {
            errors.Add("EDURELIEF_STORAGE_PREFIX is lower-case letters and digits, starting with a letter, at most 20 characters.");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("EduRelief cannot start: " + string.Join(" ", errors));
        }

        var localRunner = Flag(config, "EDURELIEF_LOCAL_RUNNER");
        // Without the Functions host in front of it, invocation routes answer only the in-process runner.
        var hosted = !string.IsNullOrEmpty(config["FUNCTIONS_CUSTOMHANDLER_PORT"]);
        var token = hosted ? null : config["EDURELIEF_INVOCATION_TOKEN"] ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var lease = TimeSpan.TryParse(config["EDURELIEF_RUNNER_MESSAGE_LEASE"], System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : TimeSpan.FromSeconds(30);
        return new AppSettings(
            storage, prefix, adminKey, devClock, localRunner, config["EDURELIEF_FUNCTIONS_ROOT"], token, lease);
    }

    /// <summary>Settings that function.json files name (%EDURELIEF_STEPS_QUEUE% …), defaulted when absent.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Defaults(IConfiguration config)
    {
        var defaults = new List<KeyValuePair<string, string?>>();
        if (string.IsNullOrEmpty(config["EDURELIEF_STEPS_QUEUE"]))
        {
            defaults.Add(new("EDURELIEF_STEPS_QUEUE", StoragePrefix + "steps"));
        }

        if (string.IsNullOrEmpty(config["EDURELIEF_SWEEP_SCHEDULE"]))
        {
            // Every 5 seconds: a due timer or a stranded outbox row waits at most that long.
            defaults.Add(new("EDURELIEF_SWEEP_SCHEDULE", "*/5 * * * * *"));
        }

        if (string.IsNullOrEmpty(config["EDURELIEF_REMINDER_SCHEDULE"]))
        {
            // 09:00 China time (UTC+8) every day; the handler itself skips days that are not working days.
            defaults.Add(new("EDURELIEF_REMINDER_SCHEDULE", "0 0 1 * * *"));
        }

        return defaults;
    }

    private static bool Flag(IConfiguration config, string key) => string.Equals(config[key], "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Creates the declared tables, the queues and the containers before the app serves anything.</summary>
public static class StorageInitializer
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        // Every table a class of the app declares (IDeclaresTables).
        await DeclaredTables.CreateAsync(services.GetRequiredService<StorageAccount>(), cancellationToken);
        await services.GetRequiredService<EduRelief.Workflow.WorkflowTables>().CreateQueuesAsync(cancellationToken);
        await services.GetRequiredService<EduRelief.Rosters.RosterStore>().CreateContainerAsync(cancellationToken);
        await services.GetRequiredService<EduRelief.Rectification.RectificationStore>().CreateContainerAsync(cancellationToken);
        await services.GetRequiredService<EduRelief.Notices.NoticeStore>().CreateContainerAsync(cancellationToken);
        await services.GetRequiredService<EduRelief.Letters.LetterStore>().CreateContainerAsync(cancellationToken);
        await services.GetRequiredService<EduRelief.Disbursement.DisbursementService>().CreateContainerAsync(cancellationToken);
        await services.GetRequiredService<EduRelief.Accounts.AccountsStore>().CreateContainerAsync(cancellationToken);
        await services.GetRequiredService<EduRelief.Children.DropoutReports>().CreateContainerAsync(cancellationToken);
    }
}
