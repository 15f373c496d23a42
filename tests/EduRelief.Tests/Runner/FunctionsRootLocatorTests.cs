using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class FunctionsRootLocatorTests
{
    [Fact]
    public void Find_FromNestedBuildFolder_ReturnsFolderWithHostJson()
    {
        using var folder = new TempFolder();
        folder.Write("host.json", "{}");
        var binFolder = Path.Combine(folder.Path, "functions", "EduRelief", "bin", "Debug", "net10.0");
        Directory.CreateDirectory(binFolder);

        Assert.Equal(Path.GetFullPath(folder.Path), FunctionsRootLocator.Find(binFolder));
    }

    [Fact]
    public void Find_FirstStartHasNone_TriesTheNext()
    {
        using var withHost = new TempFolder();
        withHost.Write("host.json", "{}");
        using var without = new TempFolder();

        // The temp folder's parents are assumed to hold no host.json.
        Assert.Equal(Path.GetFullPath(withHost.Path), FunctionsRootLocator.Find(without.Path, withHost.Path));
    }
}
