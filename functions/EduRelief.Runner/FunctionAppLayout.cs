using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EduRelief.Runner;

/// <summary>
/// Reads host.json and the function.json files the way the Functions host does, so the runner delivers exactly the
/// triggers that will run in Azure. Two layouts: the repository (host.json at the root, functions/*/function.json)
/// and the deployed package (*/function.json beside host.json).
/// </summary>
public static partial class FunctionAppLayout
{
    public const string HostFileName = "host.json";
    public const string FunctionFileName = "function.json";
    public const string DefaultConnection = "AzureWebJobsStorage";
    public const string TimeZoneSetting = "WEBSITE_TIME_ZONE";

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <exception cref="FunctionConfigurationException">Anything the Functions host would refuse to start with.</exception>
    public static FunctionApp Load(string root, IConfiguration config)
    {
        var hostPath = Path.Combine(root, HostFileName);
        if (!File.Exists(hostPath))
        {
            throw new FunctionConfigurationException($"No {HostFileName} in '{root}'.");
        }

        var host = ParseHost(ReadJson(hostPath));
        var timeZone = ResolveTimeZone(config);
        var functions = new List<FunctionDefinition>();
        var disabled = new List<string>();
        foreach (var directory in FunctionDirectories(root))
        {
            var name = Path.GetFileName(directory);
            if (functions.Any(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)) || disabled.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new FunctionConfigurationException($"Function '{name}' is defined twice (both layouts under '{root}').");
            }

            var json = ReadJson(Path.Combine(directory, FunctionFileName));
            if (IsDisabled(json, name, config))
            {
                // Settings a disabled function refers to may be deliberately unset, so it is not resolved at all.
                disabled.Add(name);
                continue;
            }

            functions.Add(ParseFunction(name, directory, json, config, timeZone));
        }

        return new FunctionApp(root, host, functions, disabled);
    }

    /// <summary>Folders holding a function.json, in both layouts, ordered by name so start-up logs are stable.</summary>
    public static IEnumerable<string> FunctionDirectories(string root) =>
        new[] { root, Path.Combine(root, "functions") }
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .Where(d => File.Exists(Path.Combine(d, FunctionFileName)))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal);

    public static HostSettings ParseHost(JsonElement host)
    {
        if (host.ValueKind != JsonValueKind.Object)
        {
            throw new FunctionConfigurationException($"{HostFileName} must be a JSON object.");
        }

        var version = GetString(host, "version", HostFileName);
        if (version != "2.0")
        {
            throw new FunctionConfigurationException($"{HostFileName}: version must be \"2.0\", not \"{version}\".");
        }

        var timeout = GetString(host, "functionTimeout", HostFileName) is { } text
            ? text.Trim() == "-1" ? Timeout.InfiniteTimeSpan : ParseTimeSpan(text, "functionTimeout")
            : HostSettings.DefaultFunctionTimeout;
        var queues = Property(host, "extensions") is { ValueKind: JsonValueKind.Object } extensions && Property(extensions, "queues") is { ValueKind: JsonValueKind.Object } q
            ? ParseQueueSettings(q)
            : QueueSettings.Defaults;
        return new HostSettings(queues, timeout);
    }

    public static QueueSettings ParseQueueSettings(JsonElement queues)
    {
        var d = QueueSettings.Defaults;
        var batchSize = GetInt(queues, "batchSize") ?? d.BatchSize;
        if (batchSize is < 1 or > 32)
        {
            // Storage returns at most 32 messages per request.
            throw new FunctionConfigurationException($"{HostFileName}: extensions.queues.batchSize must be between 1 and 32, not {batchSize}.");
        }

        var threshold = GetInt(queues, "newBatchThreshold") ?? batchSize / 2;
        if (threshold < 0)
        {
            throw new FunctionConfigurationException($"{HostFileName}: extensions.queues.newBatchThreshold must not be negative.");
        }

        var maxPolling = GetTimeSpan(queues, "maxPollingInterval") ?? d.MaxPollingInterval;
        if (maxPolling < PollingBackoff.Minimum)
        {
            throw new FunctionConfigurationException($"{HostFileName}: extensions.queues.maxPollingInterval must be at least 100 ms.");
        }

        var visibility = GetTimeSpan(queues, "visibilityTimeout") ?? d.VisibilityTimeout;
        if (visibility < TimeSpan.Zero || visibility > TimeSpan.FromDays(7))
        {
            throw new FunctionConfigurationException($"{HostFileName}: extensions.queues.visibilityTimeout must be between 0 and 7 days.");
        }

        var maxDequeue = GetInt(queues, "maxDequeueCount") ?? d.MaxDequeueCount;
        if (maxDequeue < 1)
        {
            throw new FunctionConfigurationException($"{HostFileName}: extensions.queues.maxDequeueCount must be at least 1.");
        }

        var encoding = GetString(queues, "messageEncoding", HostFileName)?.Trim().ToLowerInvariant() switch
        {
            null or "base64" => QueueMessageEncodingMode.Base64,
            "none" => QueueMessageEncodingMode.None,
            var other => throw new FunctionConfigurationException($"{HostFileName}: extensions.queues.messageEncoding must be \"base64\" or \"none\", not \"{other}\"."),
        };
        return new QueueSettings(batchSize, threshold, maxPolling, visibility, maxDequeue, encoding);
    }

    public static FunctionDefinition ParseFunction(string name, string directory, JsonElement json, IConfiguration config, TimeZoneInfo timeZone)
    {
        var file = $"{name}/{FunctionFileName}";
        if (json.ValueKind != JsonValueKind.Object || Property(json, "bindings") is not { ValueKind: JsonValueKind.Array } bindings)
        {
            throw new FunctionConfigurationException($"Function '{name}': {file} has no bindings array.");
        }

        TriggerBinding? trigger = null;
        var outputs = new List<QueueOutputBinding>();
        foreach (var binding in bindings.EnumerateArray())
        {
            var type = GetString(binding, "type", file) ?? throw new FunctionConfigurationException($"Function '{name}': a binding in {file} has no type.");
            var bindingName = GetString(binding, "name", file) ?? throw new FunctionConfigurationException($"Function '{name}': the {type} binding has no name.");
            var direction = GetString(binding, "direction", file) ?? "in";
            if (type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                if (trigger is not null)
                {
                    throw new FunctionConfigurationException($"Function '{name}': {file} has more than one trigger.");
                }

                trigger = ParseTrigger(name, type, bindingName, binding, config, timeZone);
            }
            else if (type.Equals("queue", StringComparison.OrdinalIgnoreCase) && direction.Equals("out", StringComparison.OrdinalIgnoreCase))
            {
                outputs.Add(new QueueOutputBinding(
                    bindingName,
                    ResolveQueueName(name, binding, config, file),
                    ResolveConnection(name, binding, config, file)));
            }
        }

        return new FunctionDefinition(name, directory, trigger ?? throw new FunctionConfigurationException($"Function '{name}': {file} has no trigger binding."), outputs);
    }

    private static TriggerBinding ParseTrigger(string function, string type, string bindingName, JsonElement binding, IConfiguration config, TimeZoneInfo timeZone)
    {
        var file = $"{function}/{FunctionFileName}";
        switch (type.ToLowerInvariant())
        {
            case "queuetrigger":
                var queueName = ResolveQueueName(function, binding, config, file);
                if (PoisonRules.PoisonQueueName(queueName).Length > 63)
                {
                    throw new FunctionConfigurationException($"Function '{function}': queue name '{queueName}' leaves no room for its poison queue '{PoisonRules.PoisonQueueName(queueName)}' (63 characters at most).");
                }

                return new QueueTriggerBinding(bindingName, queueName, ResolveConnection(function, binding, config, file));

            case "timertrigger":
                var raw = GetString(binding, "schedule", file) ?? throw new FunctionConfigurationException($"Function '{function}': the timer trigger has no schedule.");
                var expression = SettingResolver.Resolve(raw, config, function, "schedule");
                TimerSchedule schedule;
                try
                {
                    schedule = TimerSchedule.Parse(expression, timeZone);
                }
                catch (FormatException ex)
                {
                    var source = raw == expression ? "" : $" (schedule '{raw}')";
                    throw new FunctionConfigurationException($"Function '{function}'{source}: {ex.Message}", ex);
                }

                return new TimerTriggerBinding(bindingName, schedule, GetBool(binding, "runOnStartup", file) ?? false, GetBool(binding, "useMonitor", file) ?? true);

            case "httptrigger":
                var methods = Property(binding, "methods") is { ValueKind: JsonValueKind.Array } array
                    ? array.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!).ToList()
                    : [];
                return new HttpTriggerBinding(bindingName, GetString(binding, "route", file), methods);

            default:
                return new UnsupportedTriggerBinding(bindingName, type);
        }
    }

    private static string ResolveQueueName(string function, JsonElement binding, IConfiguration config, string file)
    {
        var raw = GetString(binding, "queueName", file) ?? throw new FunctionConfigurationException($"Function '{function}': the queue binding has no queueName.");

        // The host lower-cases queue names before validating them; storage rejects upper case.
        var name = SettingResolver.Resolve(raw, config, function, "queueName").ToLowerInvariant();
        if (!QueueNamePattern().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
        {
            throw new FunctionConfigurationException($"Function '{function}': '{name}' (from queueName '{raw}') is not a valid queue name: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.");
        }

        return name;
    }

    private static string ResolveConnection(string function, JsonElement binding, IConfiguration config, string file) =>
        GetString(binding, "connection", file) is { Length: > 0 } raw ? SettingResolver.Resolve(raw, config, function, "connection") : DefaultConnection;

    private static bool IsDisabled(JsonElement json, string name, IConfiguration config)
    {
        if (json.ValueKind == JsonValueKind.Object && Property(json, "disabled") is { ValueKind: JsonValueKind.True })
        {
            return true;
        }

        // The host's app setting; the second spelling is how an environment variable (AzureWebJobs__Name__Disabled) arrives.
        var setting = config[$"AzureWebJobs.{name}.Disabled"] ?? config[$"AzureWebJobs:{name}:Disabled"];
        return setting is not null && (setting.Equals("true", StringComparison.OrdinalIgnoreCase) || setting == "1");
    }

    public static TimeZoneInfo ResolveTimeZone(IConfiguration config)
    {
        var id = config[TimeZoneSetting];
        if (string.IsNullOrWhiteSpace(id))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FunctionConfigurationException($"{TimeZoneSetting} '{id}' is not a time zone this machine knows.", ex);
        }
    }

    private static JsonElement ReadJson(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), JsonOptions);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FunctionConfigurationException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>The host reads these files case-insensitively.</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(name) || property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? GetString(JsonElement element, string name, string file) => Property(element, name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new FunctionConfigurationException($"{file}: '{name}' must be a string."),
    };

    private static bool? GetBool(JsonElement element, string name, string file) => Property(element, name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new FunctionConfigurationException($"{file}: '{name}' must be true or false."),
    };

    private static int? GetInt(JsonElement queues, string name) => Property(queues, name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        _ => throw new FunctionConfigurationException($"{HostFileName}: extensions.queues.{name} must be a whole number."),
    };

    private static TimeSpan? GetTimeSpan(JsonElement queues, string name) =>
        GetString(queues, name, HostFileName) is { } text ? ParseTimeSpan(text, $"extensions.queues.{name}") : null;

    private static TimeSpan ParseTimeSpan(string text, string setting) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FunctionConfigurationException($"{HostFileName}: {setting} '{text}' is not a time span (hh:mm:ss).");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();
}
