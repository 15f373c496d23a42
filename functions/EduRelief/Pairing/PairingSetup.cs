namespace EduRelief.Pairing;

/// <summary>结对帮扶 and 家访 (issue 17): teachers, pairings, records, the standard, coverage and reminders.</summary>
public static class PairingSetup
{
    public static IServiceCollection AddPairing(this IServiceCollection services) => services
        .AddPairingPolicies()
        .AddSingleton<TeacherStore>()
        .AddSingleton<PairingStore>()
        .AddSingleton<PairingRoster>()
        .AddSingleton<PairingChildren>()
        .AddSingleton<RecordStore>()
        .AddSingleton<PairingProgress>()
        .AddSingleton<Reminders.IReminderSource, PairingReminderSource>();

    public static void MapPairing(this IEndpointRouteBuilder app)
    {
        app.MapTeachers();
        app.MapPairings();
        app.MapRecords();
        app.MapCoverage();
        app.MapMine();
    }
}
