using EduRelief.Observability;
using EduRelief.Runner;
using EduRelief.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace EduRelief.Hosting;

/// <summary>What every request and every feature relies on: settings, logs, problems, JSON, storage, the functions host.</summary>
public static class HostSetup
{
    /// <summary>Reads the settings and registers the host's parts; the settings are returned for the features that depend on them.</summary>
    public static AppSettings AddHost(this WebApplicationBuilder builder)
    {
        var settings = AppSettings.Read(builder.Configuration, builder.Environment);

        // In Azure the Functions host tells the handler which port to listen on.
        if (builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] is { Length: > 0 } port)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }

        builder.Configuration.AddInMemoryCollection(settings.Defaults(builder.Configuration));
        builder.Services.AddSingleton(settings);
        builder.AddObservability();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = BilingualProblemWriter.Resolve);

        // After the default writer: problems still answer, in the request's language, when Accept is not JSON.
        builder.Services.AddSingleton<IProblemDetailsWriter, BilingualProblemWriter>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new ChinaTimeJsonConverter());

            // Chinese text as UTF-8, not \uXXXX escapes: people and their tools read these answers.
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        });
        builder.Services.AddSingleton(new StorageAccount(settings.Storage, settings.StoragePrefix, new RequestCounter()));
        return settings;
    }

    /// <summary>How queue and timer invocations reach the handler: the Functions host's token, and locally the trigger runner.</summary>
    public static IServiceCollection AddFunctionsHost(this IServiceCollection services, AppSettings settings)
    {
        services.AddSingleton(new InvocationGuard(settings.InvocationToken));
        if (settings.LocalRunner)
        {
            services.AddLocalRunner(settings);
        }

        return services;
    }

    /// <summary>The request log scope, and problems for failures and bare status codes.</summary>
    public static WebApplication UseHost(this WebApplication app)
    {
        app.UseRequestLogScope();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Unexpected failures answer a plain 500 problem; details go to the log, never to the caller.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", async (StorageAccount storage, CancellationToken ct) =>
        {
            try
            {
                await storage.Tables.GetPropertiesAsync(ct);
                return Results.Ok(new { status = "healthy" });
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
            {
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, null);
            }
        });
    }
}
