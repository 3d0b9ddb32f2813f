namespace FleckChat.Hosting;

/// <summary>
/// A switch as written on the command line and shown by <c>--help</c>: <c>on</c> or <c>off</c>. A bool
/// option would make System.CommandLine treat "off" as a stray argument, hence a type of its own.
/// </summary>
internal readonly record struct OnOff(bool IsOn)
{
    public override string ToString() => IsOn ? "on" : "off";
}
