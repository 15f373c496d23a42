using EduRelief.Bench;

// dotnet run -c Release --project bench/EduRelief.Bench -- fanout [shards]
var command = args.FirstOrDefault() ?? "fanout";
switch (command)
{
    case "fanout":
        await FanOutBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000);
        break;
    default:
        Console.Error.WriteLine("usage: EduRelief.Bench fanout [shards]");
        return 2;
}

return 0;
