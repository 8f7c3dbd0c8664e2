//! First contact: what to do, in one glance, on the empty page.

use crate::components::drop_zone::DropZone;
use crate::components::Picked;
use crate::state::SampleStatus;
use yew::prelude::*;

/// The intro's properties.
#[derive(Properties, PartialEq)]
pub struct IntroProps {
    /// Receives the files dropped or picked.
    pub on_files: Callback<Vec<Picked>>,
    /// Receives a sentence when part of a dropped folder could not be read.
    pub on_error: Callback<String>,
    /// Called when the user asks for the sample data.
    pub on_sample: Callback<()>,
    /// The state of the sample-data request.
    pub samples: SampleStatus,
}

/// The large drop target, the sample button, and where flow logs come from.
#[component(Intro)]
pub fn intro(props: &IntroProps) -> Html {
    let on_click = {
        let on_sample = props.on_sample.clone();
        Callback::from(move |_: MouseEvent| on_sample.emit(()))
    };
    let loading = props.samples == SampleStatus::Loading;
    html! {
        <main class="intro">
            <DropZone on_files={props.on_files.clone()} on_error={props.on_error.clone()} />
            <div class="sample">
                <button
                    class="button sample-button"
                    type="button"
                    onclick={on_click}
                    disabled={loading}
                >
                    { if loading { "Loading sample data…" } else { "Try sample data" } }
                </button>
                <span class="hint">
                    { "An SSH brute force, a port scan, a chatty NAT gateway and more, all made up." }
                </span>
            </div>
            if let SampleStatus::Failed(message) = &props.samples {
                <p class="note error" role="alert">
                    { format!("The sample data could not be loaded: {message}") }
                </p>
            }
            <section class="sources" aria-labelledby="sources-title">
                <h2 id="sources-title">{ "Where flow logs come from" }</h2>
                <ul>
                    <li>
                        <strong>{ "S3: " }</strong>
                        { "the " }<code>{ ".log.gz" }</code>{ " files under " }
                        <code>{ "AWSLogs/<account>/vpcflowlogs/<region>/…" }</code>
                        { ", e.g. after " }<code>{ "aws s3 sync s3://<bucket>/AWSLogs/ AWSLogs/" }</code>
                        { ". Drop the whole folder." }
                    </li>
                    <li>
                        <strong>{ "CloudWatch Logs: " }</strong>
                        { "an export task to S3, the JSON of " }<code>{ "aws logs filter-log-events" }</code>
                        { ", or a Logs Insights CSV export." }
                    </li>
                    <li>
                        <strong>{ "Firehose: " }</strong>
                        { "the delivered files, plain or gzip, as they are." }
                    </li>
                </ul>
            </section>
        </main>
    }
}
