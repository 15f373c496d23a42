namespace EduRelief.Runner;

/// <summary>Finds the folder holding host.json when <see cref="RunnerOptions.FunctionsRoot"/> is not set.</summary>
public static class FunctionsRootLocator
{
    /// <summary>Walks up from each start folder in turn; the first host.json found wins.</summary>
    public static string? Find(params string[] startDirectories)
    {
        foreach (var start in startDirectories)
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, FunctionAppLayout.HostFileName)))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }
}
