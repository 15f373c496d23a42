using EduRelief.Hosting;
using EduRelief.Operations;

// Operator commands (export-cycle, import-cycle) run and exit before any web host starts.
if (OperationsCommands.IsCommand(args))
{
    Environment.ExitCode = await OperationsCommands.RunAsync(args, CancellationToken.None);
    return;
}

// The app as Hosting/EduReliefApp.cs builds it, with nothing added (the test host adds its test-only parts there).
var app = await EduReliefApp.BuildAsync(args);
await app.RunAsync();

public partial class Program;
