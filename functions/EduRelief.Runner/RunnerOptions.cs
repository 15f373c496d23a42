namespace EduRelief.Runner;

/// <summary>Settings of the local trigger runner, which stands in for the Functions host where Core Tools cannot run.</summary>
public sealed class RunnerOptions
{
    /// <summary>
    /// Folder holding host.json. Null searches upward from <see cref="AppContext.BaseDirectory"/>, then from the current
    /// directory, so both <c>dotnet run</c> from the repo and a copied deployment folder work without configuration.
    /// </summary>
    public string? FunctionsRoot { get; set; }

    /// <summary>
    /// How long a received message stays invisible; renewed at half this while the invocation runs. Short enough that a
    /// killed process's messages come back quickly, long enough that a renewal hiccup does not cause a duplicate delivery.
    /// </summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent as <c>X-EduRelief-Invocation</c> so the app can refuse invocations that did not come from its own runner.</summary>
    public string InvocationToken { get; set; } = "";

    /// <summary>
    /// Where the app listens. Null takes the first http address of the app's own Kestrel server once it has started,
    /// with wildcard hosts replaced by 127.0.0.1.
    /// </summary>
    public Uri? AppBaseUrl { get; set; }
}
