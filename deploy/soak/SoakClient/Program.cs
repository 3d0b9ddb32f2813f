using FleckChat.Soak;

// soak-client: the load side of deploy/soak/soak.sh. Exit 0 when the verdict passes, 1 when it fails, 2 on a usage error.
SoakOptions options;
try
{
    options = SoakOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"soak-client: {ex.Message}");
    Console.Error.WriteLine(SoakOptions.Usage);
    return 2;
}

Directory.CreateDirectory(options.OutDir);
var verdict = await new SoakRun(options).RunAsync();
string text = verdict.Text();
await File.WriteAllTextAsync(Path.Combine(options.OutDir, "verdict.txt"), text);
await File.WriteAllTextAsync(Path.Combine(options.OutDir, "verdict.json"), verdict.Json());
Console.Write(text);
return verdict.Passed ? 0 : 1;
