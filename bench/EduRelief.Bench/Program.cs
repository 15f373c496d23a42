using EduRelief.Bench;
using EduRelief.Bench.Generator;

// dotnet run -c Release --project bench/EduRelief.Bench -- fanout [shards]
// dotnet run -c Release --project bench/EduRelief.Bench -- disburse [students] [workdir]
// dotnet run -c Release --project bench/EduRelief.Bench -- registry [students] [workdir]
// dotnet run -c Release --project bench/EduRelief.Bench -- durable-compare [activities]
// dotnet run -c Release --project bench/EduRelief.Bench -- generate --students 1000000 --out /tmp/county [--seed 1] [--xlsx] [--utf8]
var command = args.FirstOrDefault() ?? "fanout";
switch (command)
{
    case "fanout":
        await FanOutBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000);
        break;
    case "import":
        await ImportBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, args.Length > 2 ? args[2] : null);
        break;
    case "registry":
        await RegistryBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000, args.Length > 2 ? args[2] : null);
        break;
    case "durable-compare":
        await DurableComparisonBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000);
        break;
    case "disburse":
        await DisburseBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, args.Length > 2 ? args[2] : null);
        break;
    case "raw":
        // The yardstick alone, on this run's own Azurite: raw batch upserts of each count given.
        foreach (var count in args[1..].Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)))
        {
            var (elapsed, transactions) = await RawBaseline.UpsertsAsync((await EduRelief.Tests.Hosting.Azurite.SharedAsync()).ConnectionString, count, dropAfter: true);
            Console.WriteLine($"raw batch upserts: {count} entities in {elapsed.TotalSeconds:F2} s, {transactions} transactions, load {File.ReadAllText("/proc/loadavg").Trim()}");
        }

        break;
    case "generate":
        return GenerateCommand.Run(args[1..]);
    default:
        Console.Error.WriteLine("usage: EduRelief.Bench fanout [shards] | import [students] [workdir] | registry [students] [workdir] | disburse [students] [workdir] | durable-compare [activities] | raw N... | generate --students N --out DIR [--seed S] [--xlsx] [--utf8]");
        Console.Error.WriteLine(GenerateCommand.Usage);
        return 2;
}

// Azurite is this run's own; stop it rather than leave it to process exit.
(await EduRelief.Tests.Hosting.Azurite.SharedAsync()).Process.Kill(entireProcessTree: true);
return 0;
