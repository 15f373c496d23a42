using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using EduRelief.Runner;
using EduRelief.Storage;

namespace EduRelief.Hosting;

/// <summary>The local trigger runner (EduRelief.Runner) hosted in the app, with what it needs of the app; local runs and tests only.</summary>
public static class LocalRunner
{
    public static IServiceCollection AddLocalRunner(this IServiceCollection services, AppSettings settings)
    {
        services.AddHttpClient();
        services.Configure<RunnerOptions>(o =>
        {
            o.FunctionsRoot = settings.FunctionsRoot;
            o.InvocationToken = settings.InvocationToken ?? "";
            o.MessageLease = settings.RunnerMessageLease;
        });
        services.AddSingleton<IRunnerStorage, RunnerStorage>();
        services.AddSingleton<RunnerSignals>();
        services.AddSingleton<ITriggerSignals, Signals>();
        services.AddHostedService<TriggerRunner>();
        return services;
    }

    /// <summary>The app's storage account as the runner sees it: its requests counted with the app's.</summary>
    private sealed class RunnerStorage(StorageAccount storage) : IRunnerStorage
    {
        public QueueServiceClient Queues => storage.Queues;

        public BlobServiceClient Blobs => storage.Blobs;

        public string ContainerName(string name) => storage.ContainerName(name);

        public void CountRequests(QueueClientOptions options) =>
            options.AddPolicy(new CountingPolicy(storage.Counter, StorageService.Queue), HttpPipelinePosition.PerRetry);
    }

    /// <summary>The app's trigger signals delivered to the runner.</summary>
    private sealed class Signals(RunnerSignals runner) : ITriggerSignals
    {
        public void QueueWritten(string queueName) => runner.QueueWritten(queueName);

        public void ClockChanged() => runner.ClockChanged();
    }
}
