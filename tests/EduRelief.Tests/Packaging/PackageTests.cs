using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Packaging;

/// <summary>The deployable zip has the layout the Functions host expects, and the handler serves every function it names.</summary>
public sealed class PackageTests
{
    [Fact]
    public async Task PackageScript_BuildsZipWithHostJsonFunctionFoldersAndExecutableHandler()
    {
        var output = Directory.CreateTempSubdirectory("edurelief-package-").FullName;
        try
        {
            var info = new ProcessStartInfo("bash", ["scripts/package.sh"]) { WorkingDirectory = Repo.Root, RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["EDURELIEF_PACKAGE_OUT"] = output;
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"package.sh failed:\n{await stdout}\n{await stderr}");

            using var zip = ZipFile.OpenRead(Path.Combine(output, "edurelief.zip"));
            var entries = zip.Entries.ToDictionary(e => e.FullName);
            var hostJson = JsonNode.Parse(await new StreamReader(entries["host.json"].Open()).ReadToEndAsync())!;
            Assert.Equal("2.0", (string?)hostJson["version"]);
            var executable = (string)hostJson["customHandler"]!["description"]!["defaultExecutablePath"]!;
            Assert.True(entries.TryGetValue(executable, out var handler), $"{executable} is in the zip");
            Assert.NotEqual(0, (handler!.ExternalAttributes >> 16) & 0b001_001_001); // an executable bit survives unzip
            Assert.Contains("handler/EduRelief.dll", entries.Keys);
            Assert.Contains("handler/Data/counties.json", entries.Keys);
            Assert.Contains("handler/wwwroot/console/index.html", entries.Keys);

            var functions = entries.Keys.Where(k => k.EndsWith("/function.json", StringComparison.Ordinal)).Select(k => k.Split('/')).ToList();
            Assert.All(functions, parts => Assert.Equal(2, parts.Length)); // one folder per function at the root
            var names = functions.Select(p => p[0]).Order().ToList();
            Assert.Equal(["Api", "Console", "PublicNotices", "PublicPolicy", "Reminders", "WorkflowPoison", "WorkflowSteps", "WorkflowSweep"], names);
            Assert.DoesNotContain(entries.Keys, k => k.StartsWith("EduRelief/", StringComparison.Ordinal));

            await AssertHandlerServesEveryTriggerFunctionAsync(zip, names);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Each queue or timer function is POST /{name} on the handler; each HTTP function's route prefix is served.</summary>
    private static async Task AssertHandlerServesEveryTriggerFunctionAsync(ZipArchive zip, List<string> names)
    {
        const string token = "package-test-token";
        // The production app alone, as the package ships it: not the test host with its extra routes.
        await using var app = await AppProcess.StartAsync(
            environment: new Dictionary<string, string> { ["EDURELIEF_INVOCATION_TOKEN"] = token, ["EDURELIEF_LOCAL_RUNNER"] = "false" }, appDll: Repo.AppDll);
        using var client = app.CreateClient(null);
        client.DefaultRequestHeaders.Add("X-EduRelief-Invocation", token);
        foreach (var name in names)
        {
            var function = JsonNode.Parse(await new StreamReader(zip.GetEntry($"{name}/function.json")!.Open()).ReadToEndAsync())!;
            var trigger = function["bindings"]!.AsArray().Single(b => ((string?)b!["type"])!.EndsWith("Trigger", StringComparison.Ordinal))!;
            if ((string?)trigger["type"] == "httpTrigger")
            {
                var route = (string)trigger["route"]!;
                Assert.EndsWith("/{*path}", route);
                if (route.StartsWith("api/", StringComparison.Ordinal))
                {
                    Assert.Equal(200, (int)(await client.GetAsync("/api/health")).StatusCode);
                }
                else if (route.StartsWith("console/", StringComparison.Ordinal))
                {
                    var page = await client.GetAsync("/console/");
                    Assert.Equal(200, (int)page.StatusCode);
                    Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                }

                continue;
            }

            var payload = new { Data = new Dictionary<string, object> { [(string)trigger["name"]!] = "{\"type\":\"event\",\"instanceId\":\"package-probe\",\"eventId\":\"e\",\"eventName\":\"x\"}" }, Metadata = new { DequeueCount = 1 } };
            var response = await client.PostAsJsonAsync($"/{name}", payload);
            Assert.True(response.IsSuccessStatusCode, $"POST /{name} answered {(int)response.StatusCode}");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.NotNull(body["Logs"]);
            Assert.NotNull(body["Outputs"]);
        }
    }
}
