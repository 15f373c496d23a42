using EduRelief.Hosting;
using EduRelief.TestHost;

// The production app, built by the same entry as functions/EduRelief/Program.cs, with the parts only tests use added.
var app = await EduReliefApp.BuildAsync(args, TestParts.Extensions);
await TestParts.CreateStorageAsync(app.Services, app.Lifetime.ApplicationStopping);
await app.RunAsync();
