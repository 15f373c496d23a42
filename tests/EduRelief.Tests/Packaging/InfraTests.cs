using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Packaging;

/// <summary>
/// infra/main.bicep compiles without warnings, and its ARM JSON carries the security settings STYLE.md point 12 asks
/// for: storage, identity roles, Key Vault references, the site's TLS, and no endpoint of the global cloud.
/// </summary>
public sealed partial class InfraTests
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    private static readonly Lazy<Task<JsonNode>> Main = new(() => BuildAsync("build", "infra/main.bicep"));

    [Fact]
    public async Task Lint_MainTemplate_NoDiagnostics()
    {
        var (exitCode, stdout, stderr) = await RunBicepAsync("lint", "infra/main.bicep");

        Assert.True(exitCode == 0 && stdout.Length == 0 && stderr.Length == 0, $"bicep lint exited {exitCode}:\n{stdout}\n{stderr}");
        Assert.NotEmpty((await Main.Value)["resources"]!.AsArray()); // and it compiles to something
    }

    [Fact]
    public async Task StorageAccount_Compiled_HttpsOnlyTls12NoPublicBlobs()
    {
        var storage = Single(Module(await Main.Value, "storage"), "Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.True((bool)storage["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string?)storage["minimumTlsVersion"]);
        Assert.False((bool)storage["allowBlobPublicAccess"]!);
        Assert.False((bool)storage["allowCrossTenantReplication"]!);
        Assert.True((bool)storage["defaultToOAuthAuthentication"]!);
    }

    /// <summary>
    /// The module's default is no shared-key access. main.bicep turns it on only for a deployment that chooses a
    /// connection string (identityBasedStorage false; it then lives in Key Vault); by default shared keys are off and the
    /// host and the app use the managed identity.
    /// </summary>
    [Fact]
    public async Task StorageAccount_SharedKeyAccess_OffUnlessAppNeedsConnectionString()
    {
        var main = await Main.Value;
        var module = Module(main, "storage");
        Assert.Equal("[parameters('allowSharedKeyAccess')]", (string?)Single(module, "Microsoft.Storage/storageAccounts")["properties"]!["allowSharedKeyAccess"]);
        Assert.False((bool)module["parameters"]!["allowSharedKeyAccess"]!["defaultValue"]!);
        Assert.Equal("[not(parameters('identityBasedStorage'))]", (string?)ModuleParameters(main, "storage")["allowSharedKeyAccess"]!["value"]);
        // The app takes identity-based storage, so by default the account has no shared-key access at all.
        Assert.True((bool)main["parameters"]!["identityBasedStorage"]!["defaultValue"]!);

        var storageSettings = (string)Module(main, "functionapp")["variables"]!["storageSettings"]!;
        Assert.StartsWith("[if(parameters('identityBasedStorage'), createObject('AzureWebJobsStorage__credential', 'managedidentity', 'AzureWebJobsStorage__clientId'", storageSettings, StringComparison.Ordinal);
        Assert.EndsWith("createObject('AzureWebJobsStorage', format('@Microsoft.KeyVault(VaultName={0};SecretName={1})', parameters('keyVaultName'), parameters('storageConnectionSecretName'))))]", storageSettings, StringComparison.Ordinal);
        Assert.Equal("[not(parameters('identityBasedStorage'))]", (string?)ModuleParameters(main, "keyvault")["storeStorageConnection"]!["value"]);
    }

    [Fact]
    public async Task BlobService_Compiled_SoftDeleteAndVersioningEnabled()
    {
        var blobs = Single(Module(await Main.Value, "storage"), "Microsoft.Storage/storageAccounts/blobServices")["properties"]!;

        Assert.True((bool)blobs["isVersioningEnabled"]!);
        Assert.True((bool)blobs["deleteRetentionPolicy"]!["enabled"]!);
        Assert.True((bool)blobs["containerDeleteRetentionPolicy"]!["enabled"]!);
        Assert.Equal("None", (string?)Single(Module(await Main.Value, "storage"), "Microsoft.Storage/storageAccounts/blobServices/containers")["properties"]!["publicAccess"]);
    }

    [Fact]
    public async Task RoleAssignments_Identity_OnlyBlobQueueTableDataAndSecretsUser()
    {
        var main = await Main.Value;
        var roles = Module(main, "roles");
        var assignments = AllResources(main).Where(r => (string?)r["type"] == "Microsoft.Authorization/roleAssignments").ToList();
        Assert.Equal(2, assignments.Count); // the storage loop and the vault's one

        var storageRoles = roles["variables"]!["storageRoles"]!.AsArray().Select(r => (string)r!).Order().ToList();
        Assert.Equal(new[] { StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor }.Order(), storageRoles);
        var loop = assignments.Single(a => a["copy"] is not null);
        Assert.Equal("[length(variables('storageRoles'))]", (string?)loop["copy"]!["count"]);
        Assert.StartsWith("[resourceId('Microsoft.Storage/storageAccounts'", (string?)loop["scope"], StringComparison.Ordinal);
        Assert.Equal("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('storageRoles')[copyIndex()])]", (string?)loop["properties"]!["roleDefinitionId"]);

        Assert.Equal(KeyVaultSecretsUser, (string?)roles["variables"]!["keyVaultSecretsUser"]);
        var vault = assignments.Single(a => a["copy"] is null);
        Assert.StartsWith("[resourceId('Microsoft.KeyVault/vaults'", (string?)vault["scope"], StringComparison.Ordinal);
        Assert.Equal("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('keyVaultSecretsUser'))]", (string?)vault["properties"]!["roleDefinitionId"]);

        Assert.All(assignments, a => Assert.Equal("[parameters('principalId')]", (string?)a["properties"]!["principalId"]));
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.principalId.value]", (string?)ModuleParameters(main, "roles")["principalId"]!["value"]);
    }

    [Fact]
    public async Task KeyVault_Compiled_RbacSoftDeletePurgeProtectionAndAuditLog()
    {
        var main = await Main.Value;
        var vault = Single(Module(main, "keyvault"), "Microsoft.KeyVault/vaults")["properties"]!;

        Assert.True((bool)vault["enableRbacAuthorization"]!);
        Assert.True((bool)vault["enableSoftDelete"]!);
        Assert.Null(vault["accessPolicies"]);
        Assert.True((bool)main["parameters"]!["keyVaultPurgeProtection"]!["defaultValue"]!);
        var audit = Single(Module(main, "keyvault"), "Microsoft.Insights/diagnosticSettings");
        Assert.StartsWith("[resourceId('Microsoft.KeyVault/vaults'", (string?)audit["scope"], StringComparison.Ordinal);
        Assert.Contains(audit["properties"]!["logs"]!.AsArray(), l => (string?)l!["categoryGroup"] == "audit" && (bool)l["enabled"]!);
    }

    [Theory]
    [InlineData("EDURELIEF_HOTLINE_SECRET", "hotlineSecret")]
    [InlineData("EDURELIEF_SENDGRID_KEY", "sendGridKey")]
    [InlineData("EDURELIEF_ADMIN_KEY", "adminKey")]
    public async Task AppSettings_Secret_IsKeyVaultReference(string setting, string secret)
    {
        var main = await Main.Value;
        var settings = ModuleParameters(main, "functionapp")["edureliefSettings"]!["value"]!;

        Assert.Equal($"[format('@Microsoft.KeyVault(VaultName={{0}};SecretName={{1}})', variables('keyVaultName'), variables('secretNames').{secret})]", (string?)settings[setting]);
        Assert.Equal("[parameters('identityId')]", (string?)Single(Module(main, "functionapp"), "Microsoft.Web/sites")["properties"]!["keyVaultReferenceIdentity"]);
    }

    [Fact]
    public async Task Site_Compiled_HttpsOnlyTls12NoFtpNoBasicPublishing()
    {
        var module = Module(await Main.Value, "functionapp");
        var site = Single(module, "Microsoft.Web/sites");
        var properties = site["properties"]!;

        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["scmMinTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties["siteConfig"]!["ftpsState"]);
        var policies = Resources(module, "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Fact]
    public async Task Plan_Default_FlexConsumptionLinuxCustomHandler()
    {
        var main = await Main.Value;
        Assert.Equal("FlexConsumption", (string?)main["parameters"]!["planKind"]!["defaultValue"]);
        var plan = Single(Module(main, "plan"), "Microsoft.Web/serverfarms");
        Assert.True((bool)plan["properties"]!["reserved"]!); // Linux

        var module = Module(main, "functionapp");
        var config = (string)Single(module, "Microsoft.Web/sites")["properties"]!["functionAppConfig"]!;
        Assert.Contains("'runtime', createObject('name', 'custom', 'version', '1.0')", config, StringComparison.Ordinal);
        Assert.Contains("'authentication', createObject('type', 'UserAssignedIdentity'", config, StringComparison.Ordinal);
        var premium = (string)module["variables"]!["premiumSettings"]!;
        Assert.Contains("'FUNCTIONS_WORKER_RUNTIME', 'custom'", premium, StringComparison.Ordinal);
        Assert.Contains("'WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID', parameters('identityId')", premium, StringComparison.Ordinal);
    }

    /// <summary>Every %SETTING% a function.json names must be an app setting, or the Functions host cannot index it.</summary>
    [Fact]
    public async Task AppSettings_EveryFunctionJsonPlaceholder_IsDefined()
    {
        var main = await Main.Value;
        var edurelief = ModuleParameters(main, "functionapp")["edureliefSettings"]!["value"]!.AsObject();
        var placeholders = Directory.GetFiles(Path.Combine(Repo.Root, "functions"), "function.json", SearchOption.AllDirectories)
            .SelectMany(f => Placeholder().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct().ToList();

        Assert.Contains("EDURELIEF_REMINDER_SCHEDULE", placeholders);
        Assert.All(placeholders, p => Assert.True(edurelief.ContainsKey(p), $"{p} is not an app setting"));
        Assert.Equal("0 0 1 * * *", (string?)main["parameters"]!["reminderSchedule"]!["defaultValue"]); // 09:00 China time
        Assert.Equal("[parameters('reminderSchedule')]", (string?)edurelief["EDURELIEF_REMINDER_SCHEDULE"]);
        Assert.Equal("[parameters('sweepSchedule')]", (string?)edurelief["EDURELIEF_SWEEP_SCHEDULE"]);
        Assert.Equal("[parameters('stepsQueue')]", (string?)edurelief["EDURELIEF_STEPS_QUEUE"]);
        Assert.Equal("[parameters('mailFrom')]", (string?)edurelief["EDURELIEF_MAIL_FROM"]);

        var platform = Module(main, "functionapp")["variables"]!["platformSettings"]!;
        Assert.True(long.Parse((string)platform["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"]!, System.Globalization.CultureInfo.InvariantCulture) > 256L * 1024 * 1024);
        Assert.Equal("[format('https://{0}/', parameters('authorityHost'))]", (string?)platform["AZURE_AUTHORITY_HOST"]);
    }

    [Fact]
    public async Task Templates_Everywhere_NoGlobalCloudEndpoints()
    {
        var main = await Main.Value;
        var sources = Directory.GetFiles(Path.Combine(Repo.Root, "infra"), "*.bicep", SearchOption.AllDirectories).ToList();
        Assert.Contains(sources, s => s.EndsWith("functionapp.bicep", StringComparison.Ordinal));
        var texts = sources.Select(File.ReadAllText).Append(main.ToJsonString()).ToList();
        foreach (var host in new[] { "core.windows.net", "login.microsoftonline.com", "vault.azure.net", "azurewebsites.net" })
        {
            Assert.All(texts, t => Assert.DoesNotContain(host, t, StringComparison.OrdinalIgnoreCase));
        }

        Assert.Equal("[environment().suffixes.storage]", (string?)main["parameters"]!["storageSuffix"]!["defaultValue"]);
        Assert.Contains("environment().authentication.loginEndpoint", (string?)main["parameters"]!["authorityHost"]!["defaultValue"], StringComparison.Ordinal);
        Assert.Equal("[parameters('storageSuffix')]", (string?)ModuleParameters(main, "functionapp")["storageSuffix"]!["value"]);
    }

    [Fact]
    public async Task ParameterFiles_TestCounty_GlobalAndChina()
    {
        var global = Parameters(await BuildAsync("build-params", "infra/parameters/test-county.bicepparam"));
        var china = Parameters(await BuildAsync("build-params", "infra/parameters/test-county.china.bicepparam"));

        Assert.Equal("410726", (string?)global["countyCode"]!["value"]);
        Assert.Equal("FlexConsumption", (string?)global["planKind"]!["value"]);
        Assert.Null(global["storageSuffix"]); // the cloud's own, from environment()
        Assert.Equal("410726", (string?)china["countyCode"]!["value"]);
        Assert.Equal("ElasticPremium", (string?)china["planKind"]!["value"]);
        Assert.Equal("core.chinacloudapi.cn", (string?)china["storageSuffix"]!["value"]);
        Assert.Equal("login.chinacloudapi.cn", (string?)china["authorityHost"]!["value"]);
    }

    private static JsonNode Parameters(JsonNode buildParamsOutput) =>
        JsonNode.Parse((string)buildParamsOutput["parametersJson"]!)!["parameters"]!;

    private static JsonNode ModuleDeployment(JsonNode template, string name) =>
        template["resources"]!.AsArray().Single(r => (string?)r!["type"] == "Microsoft.Resources/deployments" && (string?)r!["name"] == name)!;

    private static JsonNode Module(JsonNode template, string name) => ModuleDeployment(template, name)["properties"]!["template"]!;

    private static JsonNode ModuleParameters(JsonNode template, string name) => ModuleDeployment(template, name)["properties"]!["parameters"]!;

    private static IEnumerable<JsonNode> Resources(JsonNode template, string type) =>
        template["resources"]!.AsArray().Where(r => (string?)r!["type"] == type).Select(r => r!);

    private static JsonNode Single(JsonNode template, string type) => Assert.Single(Resources(template, type));

    private static IEnumerable<JsonNode> AllResources(JsonNode template) =>
        template["resources"]!.AsArray().Select(r => r!).SelectMany(r =>
            (string?)r["type"] == "Microsoft.Resources/deployments" ? AllResources(r["properties"]!["template"]!) : [r]);

    /// <summary>Runs the Bicep CLI (infra's own, restored by test.sh) and parses its JSON; any warning fails.</summary>
    private static async Task<JsonNode> BuildAsync(string verb, string file)
    {
        var (exitCode, stdout, stderr) = await RunBicepAsync(verb, file, "--stdout");
        Assert.True(exitCode == 0 && stderr.Length == 0, $"bicep {verb} {file} exited {exitCode}:\n{stderr}");
        return JsonNode.Parse(stdout)!;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunBicepAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(LocateBicep(), arguments)
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>EDURELIEF_BICEP (test.sh exports it), else the NuGet package folder at test.sh's BICEP_VERSION.</summary>
    private static string LocateBicep()
    {
        if (Environment.GetEnvironmentVariable("EDURELIEF_BICEP") is { Length: > 0 } fromEnv && File.Exists(fromEnv))
        {
            return fromEnv;
        }

        var version = BicepVersion().Match(File.ReadAllText(Path.Combine(Repo.Root, "test.sh"))).Groups[1].Value;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var bicep = Path.Combine(packages, "azure.bicep.commandline.linux-x64", version, "tools", "bicep");
        Assert.True(
            File.Exists(bicep),
            $"The Bicep CLI {version} is not at {bicep}. Restore it with: dotnet restore scripts/bicep/bicep.csproj -p:BicepVersion={version} (./test.sh does this first).");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute);
        }

        return bicep;
    }

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^BICEP_VERSION=(\S+)", RegexOptions.Multiline)]
    private static partial Regex BicepVersion();
}
