namespace EduRelief.Tests.Hosting;

public static class Repo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        if (Environment.GetEnvironmentVariable("EDURELIEF_REPO_ROOT") is { Length: > 0 } fromEnv && File.Exists(Path.Combine(fromEnv, "EduRelief.sln")))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EduRelief.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (EduRelief.sln) above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    /// <summary>The build configuration the tests were built in; the app is run from the same one.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The production app, as packaged: what the operator commands run.</summary>
    public static string AppDll => Path.Combine(Root, "functions", "EduRelief", "bin", Configuration, "net10.0", "EduRelief.dll");

    /// <summary>The same app with the parts only tests use added (tests/EduRelief.TestHost): what <see cref="AppProcess"/> runs.</summary>
    public static string TestHostDll => Path.Combine(Root, "tests", "EduRelief.TestHost", "bin", Configuration, "net10.0", "EduRelief.TestHost.dll");

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..10];
}
